// The preview reloads itself when a file of the course is saved: it asks for the folder's
// fingerprint a few times a second and reloads when it differs from the one the page was made
// from. Without JavaScript the "Reload" link does the same by hand.
(function () {
  var bar = document.getElementById("preview-bar");
  if (!bar || !window.fetch) return;
  var shown = bar.getAttribute("data-fingerprint");
  var url = bar.getAttribute("data-poll");
  var status = document.getElementById("preview-status");
  var busy = false;
  function poll() {
    if (busy) return;
    busy = true;
    fetch(url, {cache: "no-store"})
      .then(function (r) { return r.ok ? r.text() : shown; })
      .then(function (now) {
        if (now && now !== shown) {
          // Stay busy: a second reload while the first waits for the server would restart it.
          if (status) status.textContent = bar.getAttribute("data-reloading");
          location.reload();
          return;
        }
        busy = false;
      })
      .catch(function () {
        busy = false;
        if (status) status.textContent = bar.getAttribute("data-offline");
      });
  }
  setInterval(poll, {{ poll_ms }});
})();
