/* Line-item forms (the rows macro in _macros.html): the running totals under the rows — pieces, and
   Σ quantity × unit price as money — kept current as rows are typed, added and removed. A row's value
   is its input, or for a read-only cell its data-value. The quantity counted is the first the rows
   have of accepted, received, asked: what the money is owed for. */
(function () {
  "use strict";
  var QUANTITY = ["accepted_quantity", "received_quantity", "quantity"];

  function cells(row, key) {
    return row.querySelector("input[name$='." + key + "'], [data-cell$='." + key + "']");
  }

  function number(cell) {
    if (!cell) return null;
    var raw = cell.matches("input") ? cell.value : cell.getAttribute("data-value");
    if (raw === null || raw === "" || isNaN(Number(raw))) return null;
    return Number(raw);
  }

  function refresh(field) {
    var out = field.querySelector("[data-rows-total]");
    var rows = field.querySelectorAll("[data-rows-list] > [data-row]");
    if (!out || !rows.length) { if (out) out.hidden = true; return; }
    var key = QUANTITY.filter(function (k) { return cells(rows[0], k); })[0];
    if (!key) return;
    var pieces = 0, amount = 0, priced = false;
    rows.forEach(function (row) {
      var q = number(cells(row, key)), p = number(cells(row, "unit_price"));
      if (q !== null) pieces += q;
      if (q !== null && p !== null) { amount += q * p; priced = true; }
    });
    var lang = document.documentElement.lang || "zh-CN";
    var text = out.getAttribute("data-label-total") + " " + new Intl.NumberFormat(lang).format(pieces);
    if (priced) {
      text += " · " + out.getAttribute("data-label-amount") + " "
        + new Intl.NumberFormat(lang, {style: "currency", currency: "CNY"}).format(amount);
    }
    out.textContent = text;
    out.hidden = false;
  }

  document.querySelectorAll("[data-rows]").forEach(function (field) {
    var update = function () { refresh(field); };
    field.addEventListener("input", update);
    field.addEventListener("click", function () { setTimeout(update, 0); });  // after a row is added or removed
    update();
  });
})();
