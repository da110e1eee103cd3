/* The target form's locality picker: filter the tree as one types, and say which locality is chosen.
   Without this script the search box searches on the server (?q=) and the chosen radio button is the answer. */
(function () {
  "use strict";
  var box = document.getElementById("locality-q");
  var tree = document.getElementById("locality-tree");
  var chosen = document.querySelector("#locality-chosen strong");
  var none = document.getElementById("locality-none");
  var search = document.getElementById("locality-search");
  if (!box || !tree) { return; }

  function filter() {
    var needle = box.value.trim().toLowerCase();
    var items = tree.querySelectorAll("li");
    var any = false;
    // A place is shown when it, a place above it or a place below it matches: children come after their
    // parent in document order, so walk forwards for "above" and backwards for "below".
    var matches = [];
    Array.prototype.forEach.call(items, function (li, i) {
      var parent = li.parentElement.closest("li");
      var own = !needle || li.getAttribute("data-names").indexOf(needle) !== -1;
      li._above = own || (parent && parent._above);
      matches[i] = li._above;
    });
    for (var i = items.length - 1; i >= 0; i--) {
      var li = items[i];
      var below = Array.prototype.some.call(li.querySelectorAll(":scope > ul > li"), function (child) {
        return !child.hidden;
      });
      li.hidden = !(matches[i] || below);
      if (!li.hidden) { any = true; }
    }
    if (none) { none.hidden = any; }
  }

  box.addEventListener("input", filter);
  if (search) {
    search.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
  }
  tree.addEventListener("change", function (event) {
    if (event.target.name === "locality_id" && chosen) {
      chosen.textContent = event.target.getAttribute("data-path") || chosen.getAttribute("data-none");
    }
  });
})();
