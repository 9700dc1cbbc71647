// The install popup's last page: nudge the iframe (if it is still our opener), then close.
// The iframe polls anyway, because the opener link may have been severed on the way (COOP).
(function () {
  try {
    if (window.opener) window.opener.postMessage("jumpseller-app:connected", window.location.origin);
  } catch (e) { /* a severed or cross-origin opener: polling covers it */ }
  setTimeout(function () { window.close(); }, 400);
})();
