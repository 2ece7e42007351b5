// Preparing page: an answer that needs follow-up ("Yes" or "Not sure" to "Do you take a blood
// thinner?") shows what to do at once, as it is chosen. Without JavaScript it shows after saving.
(function () {
  "use strict";
  var questions = document.querySelectorAll(".proceed-question[data-expected]");
  for (var i = 0; i < questions.length; i++) {
    (function (question) {
      var prompt = question.querySelector(".proceed-answer-prompt");
      if (!prompt) { return; }
      question.addEventListener("change", function (event) {
        if (event.target.type !== "radio") { return; }
        prompt.hidden = event.target.value === question.dataset.expected;
      });
    })(questions[i]);
  }
})();
