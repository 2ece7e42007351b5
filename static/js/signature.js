// Optional drawn signature for the sign page. Without JavaScript the pad stays
// hidden and the typed name alone is the signature.
(function () {
  "use strict";
  var pad = document.querySelector(".proceed-signature-pad");
  var field = document.querySelector("input[name=drawn_signature]");
  if (!pad || !field) { return; }
  var canvas = pad.querySelector("canvas");
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    context.scale(ratio, ratio);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111827";
    // After a validation error the page comes back with the drawing posted before: show it
    // again rather than make the patient draw it twice.
    if (field.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () { context.drawImage(image, 0, 0, canvas.offsetWidth, canvas.offsetHeight); };
      image.src = field.value;
      drawn = true;
    }
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    drawn = true;
  });
  function finish() {
    if (!drawing) { return; }
    drawing = false;
    if (drawn) { field.value = canvas.toDataURL("image/png"); }
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  pad.querySelector(".proceed-signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    drawn = false;
  });

  pad.hidden = false;
  resize();

  // Leaving the page unsigned by any way but the form's own buttons (the browser's back button,
  // closing the tab): send what was typed and drawn to be kept, as the "Back" button does.
  var form = field.form;
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("pagehide", function () {
    if (submitting || !navigator.sendBeacon) { return; }
    var data = new FormData(form);
    data.set("action", "draft");
    navigator.sendBeacon(form.getAttribute("action") || window.location.href, data);  // not form.action: a button is named "action"
  });
})();
