// Saves each answer as soon as it is chosen, retries when the network comes back, and shows the
// server's countdown. Without script the page's buttons save a page at a time.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var messages = document.getElementById("saved-message");
  var token = form.querySelector("input[name=csrf_token]").value;
  var pending = {};

  function statusFor(item) { return form.querySelector('[data-status="' + item + '"]'); }

  function send(item) {
    var body = new FormData();
    body.append("csrf_token", token);
    body.append("item", item);
    // every input of the question: radio buttons and checkboxes when checked, each step's select (blank
    // included: its place in the order counts)
    form.querySelectorAll('[data-answer="' + item + '"]').forEach(function (input) {
      if (input.tagName === "SELECT" || input.checked) { body.append("answer-" + item, input.value); }
    });
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                                headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          var status = statusFor(item);
          if (response.ok && data.saved) {
            delete pending[item];
            if (status) { status.textContent = messages.getAttribute("data-saved"); }
          } else {
            delete pending[item];
            if (status) { status.textContent = data.message || ""; }
            if (response.status === 409) { window.location.reload(); }
          }
        });
      })
      .catch(function () {
        pending[item] = true;
        var status = statusFor(item);
        if (status) { status.textContent = messages.getAttribute("data-failed"); }
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (fieldset) { send(fieldset.getAttribute("data-item")); }
  });
  window.addEventListener("online", function () { Object.keys(pending).forEach(send); });
  setInterval(function () { Object.keys(pending).forEach(send); }, 15000);

  var timer = document.getElementById("timer");
  if (timer) {
    var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
    var shown = timer.querySelector("span");
    var tick = setInterval(function () {
      remaining -= 1;
      if (remaining <= 0) { clearInterval(tick); window.location.reload(); return; }
      shown.textContent = Math.floor(remaining / 60) + ":" + ("0" + (remaining % 60)).slice(-2);
    }, 1000);
  }
})();
