// Preparing page: "Which one?" under the question about blood thinners shows only once "Yes" or
// "Not sure" is chosen. Without JavaScript it is always on the page (and needed only after "Yes").
(function () {
  "use strict";
  var choice = document.querySelector(".proceed-blood-thinners");
  if (!choice) { return; }
  var question = choice.closest(".proceed-question");
  if (!question) { return; }

  function update() {
    var checked = question.querySelector("input[type=radio]:checked");
    // A part with an error stays in view, whatever is chosen, so the message is never hidden.
    var hasError = choice.querySelector(".is-invalid, .invalid-feedback") !== null;
    choice.hidden = !hasError && !(checked && checked.value !== question.dataset.expected);
  }

  question.addEventListener("change", function (event) {
    if (event.target.type === "radio") { update(); }
  });
  update();
})();
