/* Supervisor case pages.
 *  - case list: select cases, choose a bulk action (the assignee only for "reassign"), confirm
 *  - case page: the version's BPMN drawn by bpmn-js (NavigatedViewer, vendored), with the steps done,
 *    waiting and overdue, the path taken and how often a step ran, from the state the server embeds
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
        var canvas = viewer.get("canvas");
        canvas.zoom("fit-viewport", "auto");
        mark(viewer, state, container);
        // on a phone the whole diagram is too small to read: show the waiting step at a legible size
        var first = (state.overdue && state.overdue[0]) || (state.current && state.current[0]);
        var element = first && viewer.get("elementRegistry").get(first);
        if (element && container.clientWidth < 576 && canvas.zoom() < 0.6) {
          canvas.zoom(0.7);
          canvas.scrollToElement(element, { top: 80, bottom: 80, left: 60, right: 60 });
        }
      })
      .catch(function (error) {
        container.dataset.rendered = "error";
        container.textContent = (container.dataset.errorText || "") + " (" + error.message + ")";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $all(document, "[data-case-bulk]").forEach(initBulk);
    var actions = document.getElementById("case-action-form");
    if (actions) { initActions(actions); }
    var diagram = document.getElementById("case-diagram");
    if (diagram) { initDiagram(diagram); }
  });
}());
