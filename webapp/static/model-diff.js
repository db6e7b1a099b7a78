/* The version diff page: each diagram (the older version, the newer one) loaded from its stored .bpmn
   file, the elements the diff names marked (added on the newer, removed on the older, changed on both),
   and each element of the list below focusing it on both diagrams when chosen. The marks come from the
   page's JSON block (#diff-marks); CSP forbids inline script. */
(function () {
  "use strict";
  var MARKS = { added: "diff-added", removed: "diff-removed", changed: "diff-changed" };
  var viewers = [];

  function load(container, marks) {
    var viewer = new window.BpmnJS({ container: container });
    return fetch(container.dataset.diagramUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var marked = 0;
        Object.keys(marks).forEach(function (status) {
          marks[status].forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, MARKS[status]); marked += 1; }
          });
        });
        canvas.zoom("fit-viewport", "auto");
        container.dataset.marked = String(marked);
        container.dataset.rendered = "ok";
        viewers.push({ viewer: viewer, container: container, focused: null });
      })
      .catch(function (error) {
        container.dataset.rendered = "error";
        container.textContent = (container.dataset.errorText || "") + " (" + error.message + ")";
      });
  }

  function focus(id) {
    viewers.forEach(function (entry) {
      var canvas = entry.viewer.get("canvas");
      var element = entry.viewer.get("elementRegistry").get(id);
      if (entry.focused) { canvas.removeMarker(entry.focused, "diff-focus"); entry.focused = null; }
      if (!element) { return; }
      canvas.addMarker(id, "diff-focus");
      entry.focused = id;
      entry.container.dataset.focused = id;
      var zoom = Math.max(canvas.zoom(), 0.9);
      var outer = canvas.viewbox().outer;
      var width = outer.width / zoom, height = outer.height / zoom;
      var x = element.waypoints ? element.waypoints[0].x : element.x + element.width / 2;
      var y = element.waypoints ? element.waypoints[0].y : element.y + element.height / 2;
      canvas.viewbox({ x: x - width / 2, y: y - height / 2, width: width, height: height });
    });
    document.querySelectorAll("#diff-elements tr.is-focused").forEach(function (row) {
      row.classList.remove("is-focused");
    });
    var row = document.getElementById("change-" + id);
    if (row) { row.classList.add("is-focused"); }
    var first = document.querySelector(".diff-diagram");
    if (first && first.getBoundingClientRect().top < 0) { first.scrollIntoView({ block: "start" }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("diff-marks");
    if (!node) { return; }
    var marks = JSON.parse(node.textContent);
    document.querySelectorAll(".diff-diagram").forEach(function (container) {
      if (!window.BpmnJS) { container.textContent = container.dataset.errorText || ""; return; }
      load(container, marks[container.dataset.side] || {});
    });
    document.querySelectorAll("[data-element-id]").forEach(function (button) {
      button.addEventListener("click", function () { focus(button.dataset.elementId); });
    });
  });
})();
