// The sign page: the representative's fields show only once "I am signing for the patient" is chosen.
// Without JavaScript they always show, in a group headed "Only if you are signing for someone else".
(function () {
  "use strict";
  var group = document.querySelector(".proceed-representative");
  var choices = document.querySelectorAll("input[name=signer]");
  if (!group || !choices.length) { return; }

  function update() {
    var checked = document.querySelector("input[name=signer]:checked");
    // Fields with an error stay in view, whatever is chosen, so the message is never hidden.
    var hasError = group.querySelector(".is-invalid") !== null;
    group.hidden = !hasError && !(checked && checked.value === "representative");
  }

  for (var i = 0; i < choices.length; i++) { choices[i].addEventListener("change", update); }
  update();
})();
