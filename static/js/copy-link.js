// «Копировать» beside a calendar link (templates/plans/team/_copy_field.html): copies the
// field named by data-copy-target and says so on the button. Without the clipboard API
// (an http:// address, an old browser) the text is selected for the user to copy.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    var label = button.querySelector("span") || button;
    field.focus();
    field.select();
    function done(text) {
      label.textContent = text;
      window.setTimeout(function () { label.textContent = "Копировать"; }, 2500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { done("Скопировано"); },
        function () { done("Выделено: скопируйте"); }
      );
    } else {
      try {
        done(document.execCommand("copy") ? "Скопировано" : "Выделено: скопируйте");
      } catch (error) {
        done("Выделено: скопируйте");
      }
    }
  });
})();
