/* The bulk assignment page: «выбрать все» ticks or clears every row. The form works
   without it (the box stays hidden then). No inline scripts (CSP). */
(function () {
  "use strict";
  var all = document.querySelector(".js-select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".js-row-check"));
  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
