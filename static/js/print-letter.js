// "Print the letter" on the staff link pages. Without JavaScript the browser's own
// print prints the same letter (the print stylesheet hides everything else).
(function () {
  "use strict";
  var button = document.querySelector(".proceed-print-button");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
