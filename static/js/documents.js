// A document the worker has just finished starts downloading by itself, once.
(function () {
  function start(root) {
    var link = (root || document).querySelector("[data-autodownload]:not([data-started])");
    if (link) {
      link.setAttribute("data-started", "");
      window.location.assign(link.href);
    }
  }
  document.addEventListener("htmx:afterSettle", function (event) { start(event.target.parentNode || document); });
})();
