// A write's status page: poll its JSON until Jumpseller has answered, then go where it leads (the record, or the
// form with Jumpseller's errors). Without JavaScript the page's meta refresh does the same. No inline script (CSP).
(function () {
  "use strict";
  var root = document.querySelector("[data-write-status]");
  if (!root) { return; }
  var url = root.getAttribute("data-poll-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (write) {
        if (write && write.next) { window.location.assign(write.next); return; }
        window.setTimeout(poll, write ? 700 : 3000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
