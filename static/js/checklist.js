// The checklist: the nurse marks several items and saves them together with the button that stays
// at the bottom of the screen. This says how many items are marked but not saved yet, and asks
// before leaving the page with them unsaved. Without JavaScript the page works the same, untold.
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  var status = document.getElementById("checklist-unsaved");
  if (!form || !status) { return; }
  var saving = false;

  function markedItems() {
    var count = 0;
    form.querySelectorAll(".proceed-checklist-item").forEach(function (item) {
      var chosen = item.querySelector("input[type=radio]:checked");
      var typed = Array.prototype.some.call(item.querySelectorAll("textarea"), function (box) {
        return box.value.trim() !== "";
      });
      if (chosen || typed) { count += 1; }
    });
    return count;
  }

  function update() {
    var count = markedItems();
    status.textContent = count === 0 ? "" : count === 1 ? status.dataset.one : status.dataset.many.replace("{count}", count);
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function () { saving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!saving && markedItems() > 0) { event.preventDefault(); event.returnValue = ""; }
  });
  update();  // after a refused save the marks are back on the page, still unsaved
})();
