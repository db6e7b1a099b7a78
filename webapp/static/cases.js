/* Supervisor case pages.
 *  - case list: select cases, choose a bulk action (the assignee only for "reassign"), confirm
 *  - case page: the version's BPMN drawn by bpmn-js (NavigatedViewer, vendored), with the steps done,
 *    waiting and overdue, the path taken and how often a step ran, from the state the server embeds;
 *    fitted to its box, zoomed by its buttons (and the wheel or a pinch, as bpmn-js does), a listed open
 *    step shown in it; on a phone the bar at the bottom opens the case actions (a Bootstrap offcanvas)
 */
(function () {
  "use strict";

  function $all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  /* ---------------------------------------------------------------- case list: bulk actions */
  function initBulk(form) {
    var submit = form.querySelector("#bulk-submit");
    var action = form.querySelector("#bulk-action");
    var assignee = form.querySelector("[data-bulk-assignee]");
    window.OpsFlow.wireSelection(form, {all: "[data-case-select-all]", item: "[data-case-select]",
                                        count: "[data-case-selected-count]", button: "#bulk-submit"});
    if (action && assignee) {
      action.addEventListener("change", function () {
        var reassign = action.value === "reassign";
        assignee.hidden = !reassign;
        assignee.querySelector("select").required = reassign;
      });
    }
    form.addEventListener("submit", function (event) {
      if (submit && submit.dataset.confirm && !window.confirm(submit.dataset.confirm)) { event.preventDefault(); }
    });
  }

  /* ---------------------------------------------------------------- case page: terminate confirm */
  function initActions(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.hasAttribute("data-terminate") && !window.confirm(form.dataset.confirmTerminate)) {
        event.preventDefault();
      }
    });
  }

  /* ---------------------------------------------------------------- case page: the diagram */
  function mark(viewer, state, container) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    function add(ids, cls) {
      (ids || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
    }
    add(state.completed, "of-done");
    add(state.current, "of-current");
    add(state.overdue, "of-overdue");
    add(state.flows, "of-path");
    Object.keys(state.visits || {}).forEach(function (id) {
      var count = state.visits[id];
      var element = registry.get(id);
      if (count > 1 && element && element.type !== "label") {
        var badge = document.createElement("span");
        badge.className = "of-visits";
        badge.textContent = (container.dataset.visitsText || "×{n}").replace("{n}", count);
        overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
      }
    });
    container.dataset.rendered = "true";
    container.dataset.marked = String((state.current || []).length);
  }

  var ZOOM_STEP = 1.25;

  /* The zoom buttons (+ / − / fit), the fit kept when the box changes size, and a listed open step
     shown in the diagram; the current zoom is on the container (data-zoom) for the tests. */
  function wireZoom(viewer, container) {
    var canvas = viewer.get("canvas");
    var fitted = true;
    function note() { container.dataset.zoom = canvas.zoom().toFixed(3); }
    function fit() { canvas.zoom("fit-viewport", "auto"); fitted = true; note(); }
    function by(factor) {
      var box = canvas.viewbox();
      canvas.zoom(Math.min(4, Math.max(0.1, canvas.zoom() * factor)),
                  { x: box.outer.width / 2, y: box.outer.height / 2 });
      fitted = false;
      note();
    }
    $all(document, "[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "fit") { fit(); } else { by(how === "in" ? ZOOM_STEP : 1 / ZOOM_STEP); }
      });
    });
    // the box takes the drawing's shape, within the min- and max-height cases.css gives it
    var width = 0;
    function shape() {
      var inner = canvas.viewbox().inner;
      width = container.clientWidth;
      if (inner.width > 0) { container.style.height = Math.round(width * inner.height / inner.width + 32) + "px"; }
    }
    viewer.on("canvas.viewbox.changed", note);
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        if (container.clientWidth !== width) { shape(); }
        if (fitted) { canvas.resized(); fit(); }
      }).observe(container);
    }
    shape();
    canvas.resized();
    return fit;
  }

  function wireFocus(viewer, container) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var focused = null;
    $all(document, "[data-focus-element]").forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.dataset.focusElement;
        var element = registry.get(id);
        if (!element) { return; }
        if (focused) { canvas.removeMarker(focused, "of-focus"); }
        $all(document, ".open-step.is-focused").forEach(function (step) { step.classList.remove("is-focused"); });
        canvas.addMarker(id, "of-focus");
        focused = id;
        var step = button.closest(".open-step");
        if (step) { step.classList.add("is-focused"); }
        var zoom = Math.max(canvas.zoom(), 0.9);
        var outer = canvas.viewbox().outer;
        var width = outer.width / zoom, height = outer.height / zoom;
        canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2,
                         width: width, height: height });  // the step in the middle, legible
        container.dataset.focused = id;
        if (container.getBoundingClientRect().top < 0) { container.scrollIntoView({ block: "start" }); }
      });
    });
  }

  function initDiagram(container) {
    var stateNode = document.getElementById("diagram-state");
    if (!window.BpmnJS || !stateNode) {
      container.textContent = container.dataset.errorText || "";
      return;
    }
    var state = JSON.parse(stateNode.textContent);
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.dataset.diagramUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var fit = wireZoom(viewer, container);
        fit();
        mark(viewer, state, container);
        wireFocus(viewer, container);
      })
      .catch(function (error) {
        container.dataset.rendered = "error";
        container.textContent = (container.dataset.errorText || "") + " (" + error.message + ")";
      });
  }

  /* ---------------------------------------------------------------- case page: the phone's bar */
  function initBar() {
    $all(document, "[data-open-move]").forEach(function (button) {
      button.addEventListener("click", function () {
        var move = document.getElementById(button.dataset.openMove);
        if (move && move.tagName === "DETAILS") { move.open = true; }
        var sheet = document.getElementById("case-actions");
        if (sheet && move) {
          sheet.addEventListener("shown.bs.offcanvas", function () {
            var field = move.querySelector("textarea, select, input:not([type=hidden])");
            if (field) { field.focus(); }
          }, { once: true });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $all(document, "[data-case-bulk]").forEach(initBulk);
    var actions = document.getElementById("case-action-form");
    if (actions) { initActions(actions); }
    var diagram = document.getElementById("case-diagram");
    if (diagram) { initDiagram(diagram); }
    initBar();
  });
}());
