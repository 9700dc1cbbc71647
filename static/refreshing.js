// While a refresh job runs the page says "Refreshing…"; reload it now and then until the figures are in.
(function () {
  "use strict";
  if (document.querySelector("[data-refreshing]")) {
    window.setTimeout(function () { window.location.reload(); }, 3000);
  }
})();
