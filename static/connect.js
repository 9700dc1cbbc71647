// Connect from inside the admin iframe: OAuth runs in a popup, the session comes back through a handoff.
// The secret never leaves this page's memory except in the claim; the popup only carries its sha256.
(function () {
  var root = document.querySelector("[data-connect-root]") || document.querySelector("[data-reauth-root]");
  if (!root || !window.crypto || !window.crypto.subtle) return;
  var statusLine = document.querySelector("[data-connect-status]");
  var POLL_MS = 1000, GIVE_UP_MS = 3 * 60 * 1000;
  var next = null, current = null, timer = null, inFlight = false, again = false;

  function hex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function prepare() {
    var secret = hex(window.crypto.getRandomValues(new Uint8Array(32)));
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)).then(function (digest) {
      next = { secret: secret, hash: hex(digest) };
    });
  }
  function say(key) {
    if (!statusLine) return;
    statusLine.textContent = statusLine.getAttribute("data-" + key);
    statusLine.hidden = false;
  }
  function claim() {
    if (!current) return;
    clearTimeout(timer);
    // One claim at a time: of two overlapping claims only one can win, and the loser's "used" answer may
    // arrive first and send the page to reconnect although the session was just handed over.
    if (inFlight) { again = true; return; }
    inFlight = true;
    var attempt = current;
    fetch(root.getAttribute("data-claim-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf"),
                 "X-Session-Token": root.getAttribute("data-token") },
      body: JSON.stringify({ secret: attempt.secret })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      inFlight = false;
      if (attempt !== current) return;
      if (answer.status === 200) { current = null; window.location.assign(answer.body.next_url); return; }
      if (answer.status === 410 || Date.now() > attempt.deadline) {
        current = null; window.location.assign(answer.body.reconnect_url || "/?reconnect=1"); return;
      }
      if (again) { again = false; claim(); return; }
      timer = setTimeout(claim, POLL_MS);
    }).catch(function () {
      inFlight = false;
      if (attempt === current) timer = setTimeout(claim, POLL_MS * 2);
    });
  }
  function start(event) {
    event.preventDefault();
    if (!next) return;
    current = { secret: next.secret, deadline: Date.now() + GIVE_UP_MS };
    var url = root.getAttribute("data-install-url") + "?handoff=" + next.hash;
    next = null;
    prepare();  // a fresh secret for any later attempt: each hash serves one install
    var popup = window.open(url, "jumpseller-app-connect", "popup,width=640,height=760");
    if (!popup) { say("blocked"); current = null; return; }
    say("waiting");
    timer = setTimeout(claim, POLL_MS);
  }
  window.addEventListener("message", function (event) {
    if (event.origin === window.location.origin && event.data === "jumpseller-app:connected") claim();
  });
  prepare().then(function () {
    document.querySelectorAll("[data-connect]").forEach(function (button) {
      button.addEventListener("click", start);
      button.setAttribute("data-ready", "1");
    });
  });
})();
