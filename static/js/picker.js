// The attendance picker: filters the listed people by name as you type, ticks all shown or none.
// Without script the Filter button does the same on the server, and the ticks go along with the form.
(function () {
  "use strict";
  var picker = document.querySelector("[data-picker]");
  if (!picker) { return; }
  var form = picker.form || picker.closest("form");
  var name = picker.querySelector("[data-picker-name]");
  var list = picker.querySelector("[data-picker-list]");
  var actions = picker.querySelector("[data-picker-actions]");
  var count = picker.querySelector("[data-picker-count]");
  var filterButton = picker.querySelector("[data-picker-filter]");
  var rows = list ? Array.prototype.slice.call(list.querySelectorAll("li")) : [];
  var typedAtLoad = name ? name.value.trim().toLowerCase() : "";

  function shown() { return rows.filter(function (row) { return !row.hidden; }); }
  function boxes(items) {
    return items.map(function (row) { return row.querySelector("input[type=checkbox]"); });
  }
  function update() {
    var text = name ? name.value.trim().toLowerCase() : "";
    // Rows came from the server already filtered by the text it was sent: narrow further, never widen here.
    var narrowing = text.indexOf(typedAtLoad) !== -1;
    rows.forEach(function (row) {
      row.hidden = narrowing && text !== "" && row.getAttribute("data-name").indexOf(text) === -1;
    });
    var ticked = boxes(Array.prototype.slice.call(picker.querySelectorAll("li"))).filter(function (box) {
      return box.checked;
    }).length;
    if (count) {
      count.textContent = (count.getAttribute("data-template") || "")
        .replace("{shown}", shown().length).replace("{ticked}", ticked);
    }
  }
  if (actions) { actions.hidden = false; }
  if (name) {
    name.addEventListener("input", update);
    name.addEventListener("keydown", function (event) {
      // Enter asks the server for the filter (the whole roster), never records attendance.
      if (event.key === "Enter" && filterButton) { event.preventDefault(); filterButton.click(); }
    });
  }
  // The drop-downs wait for the Filter button: a keyboard user moving through their options must not reload the page.
  picker.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") { update(); }
  });
  var all = picker.querySelector("[data-picker-all]");
  var none = picker.querySelector("[data-picker-none]");
  if (all) {
    all.addEventListener("click", function () {
      boxes(shown()).forEach(function (box) { box.checked = true; });
      update();
    });
  }
  if (none) {
    none.addEventListener("click", function () {
      boxes(Array.prototype.slice.call(picker.querySelectorAll("li"))).forEach(function (box) {
        box.checked = false;
      });
      update();
    });
  }
  if (form) { update(); }
})();
