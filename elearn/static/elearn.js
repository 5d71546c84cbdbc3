// Progressive enhancement only: everything works without this file.
// After a choice the page loads at #feedback; move keyboard and screen-reader focus there
// so the consequence is read first. Also focus an error summary when a form comes back.
(function () {
  var target = document.getElementById("error-summary");
  if (!target && location.hash) {
    target = document.getElementById(location.hash.slice(1));
  }
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
  // A second click on a choice while the first is on its way would be a double submit.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
