/* OpsFlow: small enhancements; every page works without them.
 *  - live counts and task list: poll /tasks/poll, reload the list fragment only when it changed
 *  - select all / bulk claim on the claimable tab
 *  - add and remove rows of line-item fields
 *  - focus the first field with an error
 *  - open a task move (its reason form) from the phone's "more" menu
 */
(function () {
  "use strict";


  function $all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  /* ---------------------------------------------------------------- bulk selection */
  /* Checkboxes with a select-all box, a count and a button enabled while anything is selected;
   * the task list and the supervisors' case list both use it (window.OpsFlow.wireSelection). */
  function wireSelection(root, names) {
    names = names || {};
    var all = root.querySelector(names.all || "[data-select-all]");
    var boxes = $all(root, names.item || "[data-select]");
    var button = root.querySelector(names.button || "#claim-selected");
    var counter = root.querySelector(names.count || "[data-selected-count]");
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      if (counter) { counter.textContent = String(n); }
      if (button) { button.disabled = n === 0; }
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }
  window.OpsFlow = window.OpsFlow || {};
  window.OpsFlow.wireSelection = wireSelection;

  /* ---------------------------------------------------------------- live refresh */
  function startPolling() {
    var url = document.body.getAttribute("data-poll-url");
    if (!url || !window.fetch) { return; }
    var list = document.getElementById("task-list");
    var stamp = null;

    function setCounts(data) {
      ["todo", "mine", "claimable"].forEach(function (key) {
        $all(document, '[data-count="' + key + '"]').forEach(function (el) {
          var hidden = el.querySelector(".visually-hidden");
          el.textContent = String(data[key]);
          if (hidden) { el.insertBefore(hidden, el.firstChild); }
        });
      });
      if (typeof data.inbox === "number") {  /* the bell: hidden at nought */
        $all(document, '[data-count="inbox"]').forEach(function (el) {
          el.textContent = String(data.inbox);
          el.classList.toggle("d-none", data.inbox === 0);
        });
      }
    }

    function reloadList() {
      var selected = $all(list, "[data-select]:checked").map(function (b) { return b.value; });
      return fetch(list.getAttribute("data-refresh-url"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          if (list.contains(document.activeElement) && document.activeElement.matches("input, button, textarea")) { return; }
          if (list.querySelector("details.decide-sheet[open]")) { return; }  /* a decision's comment half written */
          list.innerHTML = html;
          $all(list, "[data-select]").forEach(function (b) { b.checked = selected.indexOf(b.value) >= 0; });
          wireSelection(list);
          announce(list.getAttribute("data-updated-text") || "");
        });
    }

    function tick() {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          setCounts(data);
          if (stamp !== null && data.stamp !== stamp && list) { reloadList(); }
          stamp = data.stamp;
        })
        .catch(function () { /* offline or logged out: try again at the next tick */ });
    }

    tick();
    window.setInterval(tick, parseInt(document.body.getAttribute("data-poll-ms") || "15000", 10));
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { tick(); } });
  }

  /* ---------------------------------------------------------------- line-item rows */
  function renumber(field) {
    $all(field, "[data-rows-list] [data-row-number]").forEach(function (el, i) { el.textContent = String(i + 1); });
  }

  function wireRows(field) {
    var list = field.querySelector("[data-rows-list]");
    var template = field.querySelector("template[data-row-template]");
    var add = field.querySelector("[data-add-row]");
    var max = parseInt(field.getAttribute("data-max-rows") || "100", 10);
    var next = list.children.length;
    if (add && template) {
      add.addEventListener("click", function () {
        if (list.children.length >= max) { return; }
        var html = template.innerHTML.replace(/__index__/g, String(next));
        next += 1;
        list.insertAdjacentHTML("beforeend", html);
        renumber(field);
        var first = list.lastElementChild.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      });
    }
    field.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) { return; }
      var row = button.closest("[data-row]");
      if (row && list.children.length > 1) {
        row.remove();
      } else if (row) {
        $all(row, "input, select, textarea").forEach(function (el) { el.value = ""; });
      }
      renumber(field);
      if (add) { add.focus(); }
    });
  }

  /* ---------------------------------------------------------------- task moves from the phone's menu */
  /* A "more" menu entry naming a move's <details> opens it and brings its first field into view. */
  function wireMoveLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-open-move]");
      if (!link) { return; }
      var move = document.getElementById(link.getAttribute("data-open-move"));
      if (!move) { return; }
      event.preventDefault();
      move.open = true;
      move.scrollIntoView({ block: "center" });
      var first = move.querySelector("select, textarea, input:not([type=hidden])");
      if (first) { first.focus({ preventScroll: true }); }
    });
  }

  /* ---------------------------------------------------------------- errors */
  function focusFirstError() {
    var bad = document.querySelector('form [aria-invalid="true"]');
    if (bad) {
      bad.focus({ preventScroll: true });
      bad.scrollIntoView({ block: "center" });
    }
  }

  /* ------------------------------------------------- a form that asks first (放弃草稿) */
  // delegated, so a form put in place later (the modeler's draft panel after a save) asks too
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    $all(document, "#bulk-form").forEach(function (form) { wireSelection(form.parentNode); });
    $all(document, "[data-rows]").forEach(wireRows);
    focusFirstError();
    wireMoveLinks();
    startPolling();
  });
})();
