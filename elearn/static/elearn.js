// Progressive enhancement only: everything works without this file.
(function () {
  // Where focus goes when a page loads: a form's error summary, then a warning (such as "that
  // page was out of date"), then the fragment (#feedback after a choice, #main otherwise), so
  // keyboard and screen-reader users meet what changed first.
  var target =
    document.getElementById("error-summary") ||
    (document.querySelector(".messages [role=alert]") && document.getElementById("messages")) ||
    (location.hash && document.getElementById(location.hash.slice(1)));
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
  // A second click while the first submit is on its way would be a double submit (the server
  // refuses it anyway). Buttons come back if the page is shown again from the back/forward cache.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // Printable pages: a print button where JavaScript can print (without it, the hint says how).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });
})();
