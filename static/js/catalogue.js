/* The centre's catalogue page: filters the list as you type (the search form also
   works without scripts); there and on the template page, asks before a delete. No inline scripts (CSP). */
(function () {
  "use strict";
  function normalize(text) { return text.toLowerCase().replace(/ё/g, "е"); }

  var input = document.querySelector(".js-catalogue-filter");
  var found = document.getElementById("catalogue-found");
  if (input && found) {
    input.addEventListener("input", function () {
      var words = normalize(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      document.querySelectorAll(".catalogue-group").forEach(function (group) {
        var inGroup = 0;
        group.querySelectorAll(".catalogue-line").forEach(function (line) {
          var text = normalize(line.dataset.search || "");
          var match = words.every(function (word) { return text.indexOf(word) !== -1; });
          line.hidden = !match;
          if (match) inGroup++;
        });
        group.hidden = inGroup === 0;
        shown += inGroup;
      });
      var empty = document.querySelector(".catalogue-empty");
      if (empty) empty.hidden = !words.length || shown > 0;
      found.textContent = words.length
        ? "Найдено: " + shown + " из " + found.dataset.total + "."
        : "В каталоге " + found.dataset.total + ".";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
