/* The administrator's modeler (/admin/models/<key>/edit, templates/admin/modeler.html).
 *  - bpmn-js's Modeler (vendored) opens the version's .bpmn, with a moddle descriptor of the
 *    spiffworkflow namespace (static/spiffworkflow-moddle.json) so its extension elements are typed
 *    and written back as they were read;
 *  - the panel beside it (modeler-panel.js) edits the selected element's OpsFlow properties;
 *  - Save posts the XML with the version opened into the process's draft (published from the draft's
 *    panel as one new version); a refusal names an element, which is marked on the diagram and
 *    selected, with the message in the page's language.
 */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  /* ------------------------------------------------------------ saving and refusals */
  function Saver(modeler, root) {
    var canvas = modeler.get("canvas");
    var overlays = modeler.get("overlays");
    var registry = modeler.get("elementRegistry");
    var selection = modeler.get("selection");
    var status = $("modeler-status");
    var button = $("modeler-save");
    var marked = null;
    var saving = false;
    var self = this;
    this.blocked = false;

    function clearMark() {
      if (marked) {
        if (registry.get(marked)) { canvas.removeMarker(marked, "of-error"); }
        overlays.remove({ type: "of-error" });
        marked = null;
      }
    }

    function say(kind, text, link) {
      status.textContent = "";
      var alert = document.createElement("div");
      alert.className = "alert alert-" + kind + " py-2 mb-2";
      alert.setAttribute("role", kind === "danger" ? "alert" : "status");
      alert.id = "modeler-message";
      alert.appendChild(document.createTextNode(text));
      if (link) {
        alert.appendChild(document.createTextNode(" "));
        var a = document.createElement("a");
        a.href = link;
        a.className = "alert-link";
        a.id = "modeler-version-link";
        a.textContent = root.dataset.textOpenVersion;
        alert.appendChild(a);
      }
      status.appendChild(alert);
    }

    function markError(id, text) {
      var element = id && registry.get(id);
      if (!element) { return; }
      marked = id;
      canvas.addMarker(id, "of-error");
      var note = document.createElement("div");
      note.className = "of-error-note";
      note.textContent = text;
      overlays.add(id, "of-error", { position: { bottom: -6, left: 0 }, html: note });
      selection.select(element);
      canvas.scrollToElement(element);
      root.dataset.errorElement = id;
    }

    this.save = function () {
      if (saving || self.blocked) { return; }
      saving = true;
      button.disabled = true;
      clearMark();
      delete root.dataset.errorElement;
      say("info", root.dataset.textSaving);
      modeler.saveXML({ format: true }).then(function (result) {
        return fetch(root.dataset.saveUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json",
                     "X-CSRFToken": root.dataset.csrf },
          body: JSON.stringify({ xml: result.xml, version: Number(root.dataset.version),
                                revision: root.dataset.revision })
        });
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve({})).then(function (data) {
          return { ok: response.ok, data: data };
        });
      }).then(function (answer) {
        var data = answer.data || {};
        if (answer.ok) {
          root.dataset.saved = "draft";
          // the next save is on top of what this one stored (the file's new revision in the draft)
          if (data.revision !== undefined) { root.dataset.revision = data.revision; }
          // the draft's panel (who, when, which files, publish, discard) as the server renders it
          if (data.panel !== undefined) { $("draft-area").innerHTML = data.panel; }
          modeler.get("commandStack").clear();
          self.dirty(false);
          say("success", data.message, data.url);
        } else if (data.message) {
          say("danger", root.dataset.textRefused + " " + data.message);
          markError(data.element, data.message);
          root.dataset.refused = data.error || "refused";
        } else {
          say("danger", root.dataset.textFailed);
        }
      }).catch(function () {
        say("danger", root.dataset.textFailed);
      }).then(function () {
        saving = false;
        button.disabled = self.blocked;
      });
    };

    this.dirty = function (value) { root.dataset.dirty = value ? "true" : "false"; };
    this.say = say;
  }

  /* A reference to an id the file does not define is dropped by the import, and would be lost on
     saving: SpiffWorkflow's loopDataInputRef / loopDataOutputRef name case data (a list of approvers),
     not an XML element. A single reference is kept as written (a stand-in with that id, which is what
     the file says); anything else the import could not read is returned, and saving stays off. */
  function keepReferences(modeler, warnings) {
    var moddle = modeler.get("moddle");
    return warnings.filter(function (warning) {
      var element = warning.element;
      var property = element && warning.property && element.$descriptor &&
        element.$descriptor.propertiesByName[warning.property];
      if (property && property.isReference && !property.isMany && typeof warning.value === "string") {
        element.set(property.name, moddle.create(property.type, { id: warning.value }));
        return false;
      }
      return true;
    });
  }

  /* ------------------------------------------------------------ wiring */
  function init(root) {
    var container = $("modeler-canvas");
    var load = Promise.all([
      fetch(root.dataset.descriptorUrl, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("descriptor " + r.status); }
        return r.json();
      }),
      fetch(root.dataset.xmlUrl, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("model " + r.status); }
        return r.text();
      })
    ]);
    load.then(function (loaded) {
      var modeler = new window.BpmnJS({ container: container, moddleExtensions: { spiffworkflow: loaded[0] } });
      var saver = new Saver(modeler, root);
      return modeler.importXML(loaded[1]).then(function (result) {
        new window.OpsFlowPanel(modeler, root);
        var canvas = modeler.get("canvas");
        var commands = modeler.get("commandStack");
        var fit = function () { canvas.zoom("fit-viewport", "auto"); };
        fit();
        var warnings = keepReferences(modeler, result.warnings || []).map(function (w) { return w.message; });
        saver.blocked = warnings.length > 0;
        if (saver.blocked) {
          saver.say("warning", root.dataset.textImportWarnings.replace("{parts}", warnings.slice(0, 3).join("; ")));
        }
        $("modeler-save").disabled = saver.blocked;
        $("modeler-save").addEventListener("click", saver.save);
        $("modeler-undo").addEventListener("click", function () { commands.undo(); });
        $("modeler-redo").addEventListener("click", function () { commands.redo(); });
        $("modeler-fit").addEventListener("click", fit);
        modeler.on("commandStack.changed", function () {
          $("modeler-undo").disabled = !commands.canUndo();
          $("modeler-redo").disabled = !commands.canRedo();
          saver.dirty(commands.canUndo());
        });
        window.addEventListener("beforeunload", function (event) {
          if (root.dataset.dirty === "true") {
            event.preventDefault();
            event.returnValue = root.dataset.textUnsaved;
          }
        });
        container.dataset.rendered = "true";
        window.OpsFlowModeler = modeler;  // for the browser tests and the console
      });
    }).catch(function () {
      var alert = document.createElement("div");
      alert.className = "alert alert-danger m-2";
      alert.setAttribute("role", "alert");
      alert.textContent = root.dataset.textLoadError;
      container.appendChild(alert);
      container.dataset.rendered = "error";
    });
  }

  var root = $("modeler");
  if (root && window.BpmnJS && window.OpsFlowPanel && window.fetch) { init(root); }
})();
