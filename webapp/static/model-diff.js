/* The version diff page: each diagram (the older version, the newer one) loaded from its stored .bpmn
   file, the elements the diff names marked (added on the newer, removed on the older, changed on both),
   and each element of the list below focusing it on both diagrams when chosen. The marks come from the
   page's JSON block (#diff-marks: those of the file drawn first, and under `files` those of every BPMN
   file the versions carry); CSP forbids inline script. When a version carries a called process's file
   too, the picker (#diff-file) draws that file instead, in place, and choosing one of its elements in
   the list draws its file first. */
(function () {
  "use strict";
  var MARKS = { added: "diff-added", removed: "diff-removed", changed: "diff-changed" };
  var viewers = [];  // {viewer, container, focused}, one per side
  var allMarks = {};
  var shownFile = null;

  function entryFor(container) {
    var found = viewers.filter(function (entry) { return entry.container === container; })[0];
    if (!found) {
      found = { viewer: new window.BpmnJS({ container: container }), container: container, focused: null };
      viewers.push(found);
    }
    return found;
  }

  function draw(container, url, marks) {
    var entry = entryFor(container);
    entry.focused = null;
    container.dataset.rendered = "";
    container.dataset.marked = "0";
    var missing = container.querySelector(".diff-missing");
    if (missing) { missing.remove(); }
    if (!url) {  // this version does not have the file
      entry.viewer.clear();
      var note = document.createElement("p");
      note.className = "diff-missing text-muted small p-3 mb-0";
      note.textContent = container.dataset.missingText || "";
      container.appendChild(note);
      container.dataset.rendered = "missing";
      return Promise.resolve();
    }
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return entry.viewer.importXML(xml); })
      .then(function () {
        var canvas = entry.viewer.get("canvas");
        var registry = entry.viewer.get("elementRegistry");
        var marked = 0;
        Object.keys(marks).forEach(function (status) {
          marks[status].forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, MARKS[status]); marked += 1; }
          });
        });
        canvas.zoom("fit-viewport", "auto");
        container.dataset.marked = String(marked);
        container.dataset.rendered = "ok";
      })
      .catch(function (error) {
        container.dataset.rendered = "error";
        var note = document.createElement("p");
        note.className = "diff-missing text-danger small p-3 mb-0";
        note.textContent = (container.dataset.errorText || "") + " (" + error.message + ")";
        container.appendChild(note);
      });
  }

  /* Draw `file` on both sides (its marks, or nothing where a version lacks it). */
  function show(file, urls) {
    shownFile = file;
    var marks = allMarks[file] || {};
    document.querySelectorAll(".diff-file-name").forEach(function (name) { name.textContent = file; });
    return Promise.all(Array.prototype.map.call(document.querySelectorAll(".diff-diagram"), function (container) {
      var side = container.dataset.side;
      var url = urls ? urls[side] : container.dataset.diagramUrl;
      container.dataset.diagramUrl = url || "";
      container.dataset.file = file;
      return draw(container, url, marks[side] || {});
    }));
  }

  function pickerUrls(option) {
    return { old: option.dataset.oldUrl || "", "new": option.dataset.newUrl || "" };
  }

  function focus(id, file) {
    viewers.forEach(function (entry) {
      if (entry.container.dataset.rendered !== "ok") { return; }
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
    document.querySelectorAll("#diff-elements tr[data-file]").forEach(function (row) {
      var button = row.querySelector("[data-element-id]");
      if (button && button.dataset.elementId === id && row.dataset.file === file) { row.classList.add("is-focused"); }
    });
    var first = document.querySelector(".diff-diagram");
    if (first && first.getBoundingClientRect().top < 0) { first.scrollIntoView({ block: "start" }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("diff-marks");
    if (!node) { return; }
    var marks = JSON.parse(node.textContent);
    var picker = document.getElementById("diff-file");
    var first = picker ? picker.value : null;
    allMarks = marks.files || {};
    if (!window.BpmnJS) {
      document.querySelectorAll(".diff-diagram").forEach(function (container) {
        container.textContent = container.dataset.errorText || "";
      });
      return;
    }
    if (first === null) {  // one file: the process's own
      first = Object.keys(allMarks)[0] || "";
      allMarks[first] = { old: marks.old || {}, "new": marks["new"] || {} };
    }
    show(first, null);
    if (picker) {
      picker.addEventListener("change", function () {
        show(picker.value, pickerUrls(picker.options[picker.selectedIndex]));
      });
    }
    document.querySelectorAll("[data-element-id]").forEach(function (button) {
      button.addEventListener("click", function () {
        var file = button.dataset.file || shownFile;
        if (picker && file !== shownFile) {
          picker.value = file;
          show(file, pickerUrls(picker.options[picker.selectedIndex])).then(function () {
            focus(button.dataset.elementId, file);
          });
        } else {
          focus(button.dataset.elementId, file);
        }
      });
    });
  });
})();
