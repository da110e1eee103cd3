// Marks a lesson read once its end has been on screen; the "Done" button does the same without script.
(function () {
  "use strict";
  var form = document.getElementById("lesson-done");
  var status = document.getElementById("read-status");
  if (!form || !("IntersectionObserver" in window) || !window.fetch) { return; }
  var sent = false;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting || sent) { return; }
      sent = true;
      fetch(form.getAttribute("data-autoread"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.ok && status && !status.textContent) { status.textContent = status.getAttribute("data-read") || "✓"; }
      }).catch(function () { sent = false; });
    });
  });
  observer.observe(form);
})();
