// Choosing an option that carries data-fill-<field> attributes (a store: its name, city and address) fills
// those fields of the same form, so nobody retypes what the directory already knows.
(function () {
  "use strict";
  var PREFIX = "data-fill-";
  function fill(select) {
    var option = select.options[select.selectedIndex];
    if (!option || !select.form) { return; }
    Array.prototype.forEach.call(option.attributes, function (attr) {
      if (attr.name.indexOf(PREFIX) !== 0 || !attr.value) { return; }
      var target = select.form.elements.namedItem(attr.name.slice(PREFIX.length));
      if (target && !target.disabled && !target.readOnly && "value" in target) {
        target.value = attr.value;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement) { fill(select); }
  });
})();
