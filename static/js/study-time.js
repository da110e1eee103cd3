// Counts the seconds this lesson is on screen and in use (scrolled, tapped or typed in within the last
// minute) and reports them every 15 seconds, and when the page is hidden. The server counts a report at most
// up to the time since the previous one (portal/domain/learning/study_time.py): a page left open adds nothing.
(function () {
  "use strict";
  var form = document.getElementById("lesson-done");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-study-time");
  var token = form.querySelector("input[name=csrf_token]").value;
  var IDLE_MS = 60000, BEAT_MS = 15000;
  var lastActivity = Date.now(), active = 0;

  function inUse() { return document.visibilityState === "visible" && Date.now() - lastActivity < IDLE_MS; }
  function body(seconds) {
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("seconds", String(seconds));
    return data;
  }
  function report(leaving) {
    if (active < 1) { return; }
    var seconds = active;
    active = 0;
    if (leaving && navigator.sendBeacon) { navigator.sendBeacon(url, body(seconds)); return; }
    fetch(url, { method: "POST", body: body(seconds), credentials: "same-origin",
                 headers: { "Accept": "application/json" } }).catch(function () { active += seconds; });
  }
  ["scroll", "keydown", "pointerdown", "touchstart", "mousemove"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });
  setInterval(function () { if (inUse()) { active += 1; } }, 1000);
  setInterval(function () { report(false); }, BEAT_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { report(true); } else { lastActivity = Date.now(); }
  });
})();
