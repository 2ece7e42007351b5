// Risks and preparing pages: each tick or answer is saved as it is made, so closing the browser
// halfway loses nothing. It posts the whole form to the same page with action=autosave, which keeps
// the answers without finishing the page. Without JavaScript, "Save and come back later" does this.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = form.querySelector(".proceed-autosave-status");

  function say(text) { if (status) { status.textContent = text; } }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches("input[type=checkbox], input[type=radio]")) { return; }
    var data = new FormData(form);
    data.set("action", "autosave");
    // Not form.action: the "Save and come back later" button, named "action", shadows it.
    fetch(form.getAttribute("action") || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { say(response.ok ? status.dataset.saved : status.dataset.failed); })
      .catch(function () { say(status.dataset.failed); });
  });
})();
