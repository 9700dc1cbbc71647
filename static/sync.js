// While a sync runs, the sync page and the dashboard's bar poll /sync/progress.json and move their bars; when the
// sync is over the page reloads once, to show the final figures. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var root = document.querySelector("[data-sync-running]");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");

  function show(scope, entry) {
    if (!scope) { return; }
    var bar = scope.querySelector("[data-percent]");
    if (bar) { bar.value = entry.percent; bar.textContent = entry.percent + " %"; }
    var text = scope.querySelector("[data-percent-text]");
    if (text) { text.textContent = entry.percent + " %"; }
    var pages = scope.querySelector("[data-pages]");
    var total = entry.pages_total === null ? "?" : entry.pages_total;
    if (pages) { pages.textContent = entry.pages_done + " / " + total; }
    var items = scope.querySelector("[data-items]");
    var itemsTotal = entry.items_total === null ? "?" : entry.items_total;
    if (items && entry.items_done !== undefined) { items.textContent = entry.items_done + " / " + itemsTotal; }
    var status = scope.querySelector("[data-status]");
    if (status && entry.status) { status.textContent = entry.status; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (!progress) { return window.setTimeout(poll, 5000); }
        show(root.querySelector('[data-resource="overall"]'), progress);
        Object.keys(progress.resources).forEach(function (name) {
          show(root.querySelector('[data-resource="' + name + '"]'), progress.resources[name]);
        });
        if (progress.running) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
