/* The administrator's modeler (/admin/models/<key>/edit, templates/admin/modeler.html).
 *  - bpmn-js's Modeler (vendored) opens the version's .bpmn, with a moddle descriptor of the
 *    spiffworkflow namespace (static/spiffworkflow-moddle.json) so its extension elements are typed
 *    and written back as they were read;
 *  - the panel edits the selected element's OpsFlow properties (docs/modelling.md): its name, English
 *    name, the lane's role, form, decision table, due hours, priority, assignee, cc, point of no return,
 *    approvers, starters, outcome; written as spiffworkflow:properties through bpmn-js's commands, so
 *    undo and redo cover them;
 *  - Save posts the XML with the version opened; a refusal names an element, which is marked on the
 *    diagram and selected, with the message in the page's language.
 */
(function () {
  "use strict";

  var SPIFF_PROPERTIES = "spiffworkflow:Properties";
  var SPIFF_PROPERTY = "spiffworkflow:Property";
  var SPIFF_DECISION = "spiffworkflow:CalledDecisionId";

  /* Which panel fields an element of each type shows (the name field shows for all but lanes). */
  var FLOW_NODE = ["nameEn"];
  var FIELDS = {
    "bpmn:UserTask": FLOW_NODE.concat(["formJsonSchemaFilename", "dueInHours", "priority", "assignee", "cc",
                                       "pointOfNoReturn", "approvalMode", "approverRole"]),
    "bpmn:StartEvent": FLOW_NODE.concat(["formJsonSchemaFilename", "starterRoles"]),
    "bpmn:BoundaryEvent": FLOW_NODE.concat(["formJsonSchemaFilename", "cc"]),
    "bpmn:EndEvent": FLOW_NODE.concat(["outcome"]),
    "bpmn:BusinessRuleTask": FLOW_NODE.concat(["calledDecisionId"]),
    "bpmn:Lane": ["role"]
  };

  function $(id) { return document.getElementById(id); }
  function $all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function fieldsOf(bo) {
    if (FIELDS[bo.$type]) { return FIELDS[bo.$type]; }
    return bo.$instanceOf("bpmn:FlowNode") ? FLOW_NODE : [];
  }

  /* ------------------------------------------------------------ reading and writing extensions */
  function extensionValues(bo) {
    return (bo.extensionElements && bo.extensionElements.get("values")) || [];
  }

  function propertiesOf(bo) {
    var found = extensionValues(bo).filter(function (v) { return v.$type === SPIFF_PROPERTIES; })[0];
    return found || null;
  }

  function propertyOf(bo, name) {
    var properties = propertiesOf(bo);
    if (!properties) { return null; }
    return properties.get("properties").filter(function (p) { return p.name === name; })[0] || null;
  }

  function decisionOf(bo) {
    return extensionValues(bo).filter(function (v) { return v.$type === SPIFF_DECISION; })[0] || null;
  }

  function Writer(modeler) {
    var moddle = modeler.get("moddle");
    var modeling = modeler.get("modeling");

    function create(type, attrs, parent) {
      var made = moddle.create(type, attrs);
      made.$parent = parent;
      return made;
    }

    function extensions(element) {
      var bo = element.businessObject;
      if (!bo.extensionElements) {
        modeling.updateProperties(element, { extensionElements: create("bpmn:ExtensionElements", { values: [] }, bo) });
      }
      return bo.extensionElements;
    }

    function addValue(element, value) {
      var ext = extensions(element);
      value.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([value]) });
    }

    function removeValue(element, value) {
      var ext = element.businessObject.extensionElements;
      modeling.updateModdleProperties(element, ext, {
        values: ext.get("values").filter(function (v) { return v !== value; })
      });
    }

    /* One spiffworkflow:property: set, changed, or removed when `value` is empty. */
    this.property = function (element, name, value) {
      var bo = element.businessObject;
      var existing = propertyOf(bo, name);
      var properties = propertiesOf(bo);
      if (!value) {
        if (existing) {
          modeling.updateModdleProperties(element, properties, {
            properties: properties.get("properties").filter(function (p) { return p !== existing; })
          });
        }
        return;
      }
      if (existing) {
        if (existing.value !== value) { modeling.updateModdleProperties(element, existing, { value: value }); }
        return;
      }
      if (!properties) {
        properties = create(SPIFF_PROPERTIES, { properties: [] });
        addValue(element, properties);
      }
      var made = create(SPIFF_PROPERTY, { name: name, value: value }, properties);
      modeling.updateModdleProperties(element, properties, { properties: properties.get("properties").concat([made]) });
    };

    this.decision = function (element, id) {
      var existing = decisionOf(element.businessObject);
      if (!id) {
        if (existing) { removeValue(element, existing); }
      } else if (existing) {
        if (existing.value !== id) { modeling.updateModdleProperties(element, existing, { value: id }); }
      } else {
        addValue(element, create(SPIFF_DECISION, { value: id }));
      }
    };

    this.name = function (element, name) {
      if ((element.businessObject.name || "") !== name) {
        modeling.updateProperties(element, { name: name || undefined });
      }
    };
  }

  /* ------------------------------------------------------------ the panel */
  function Panel(modeler, root) {
    var writer = new Writer(modeler);
    var form = $("panel-form");
    var types = JSON.parse(root.dataset.types || "{}");
    var current = null;

    function roleList(property) {
      return form.querySelector('[data-roles="' + property + '"]');
    }

    function listed(text) {
      return (text || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    }

    function show(element) {
      current = element;
      var bo = element && element.businessObject;
      $("panel-empty").hidden = Boolean(bo);
      form.hidden = !bo;
      if (!bo) { return; }
      var wanted = fieldsOf(bo);
      $("panel-type").textContent = types[bo.$type] || types.other || bo.$type;
      $("panel-id").textContent = bo.id || "";
      $all(form, "[data-field]").forEach(function (field) {
        var name = field.dataset.field;
        field.hidden = name === "name" ? bo.$type === "bpmn:Lane" : wanted.indexOf(name) < 0;
      });
      $("prop-name").value = bo.name || "";
      $("prop-role").value = bo.$type === "bpmn:Lane" ? (bo.name || "") : "";
      var decision = decisionOf(bo);
      $("prop-calledDecisionId").value = decision ? (decision.value || "").trim() : "";
      $all(form, "[data-property]").forEach(function (input) {
        var found = propertyOf(bo, input.dataset.property);
        var value = found ? (found.value || "") : "";
        if (input.type === "checkbox") {
          input.checked = value === input.dataset.checkedValue;
        } else {
          input.value = value;
        }
      });
      ["approverRole", "starterRoles"].forEach(function (property) {
        var found = propertyOf(bo, property);
        var chosen = listed(found && found.value);
        $all(roleList(property), "input").forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
      });
      // a value the pick list lacks (a form of another version, a role no longer held) is shown, not lost
      ["prop-formJsonSchemaFilename", "prop-calledDecisionId", "prop-role"].forEach(function (id) {
        var select = $(id);
        var value = id === "prop-role" ? (bo.$type === "bpmn:Lane" ? bo.name || "" : "")
          : id === "prop-calledDecisionId" ? (decision ? (decision.value || "").trim() : "")
          : ((propertyOf(bo, "formJsonSchemaFilename") || {}).value || "");
        if (value && select.value !== value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          option.dataset.added = "true";
          select.appendChild(option);
          select.value = value;
        }
      });
    }

    function apply(input) {
      if (!current) { return; }
      var element = current;
      if (input.id === "prop-name") {
        writer.name(element, input.value.trim());
      } else if (input.id === "prop-role") {
        writer.name(element, input.value);
      } else if (input.id === "prop-calledDecisionId") {
        writer.decision(element, input.value);
      } else if (input.dataset.property) {
        var value = input.type === "checkbox" ? (input.checked ? input.dataset.checkedValue : "") : input.value.trim();
        writer.property(element, input.dataset.property, value);
      } else {
        var box = input.closest("[data-roles]");
        if (!box) { return; }
        var property = box.dataset.roles;
        var found = propertyOf(element.businessObject, property);
        var chosen = listed(found && found.value).filter(function (role) { return role !== input.value; });
        if (input.checked) { chosen.push(input.value); }  // keeps the order given, a new one last
        writer.property(element, property, chosen.join(", "));
      }
    }

    form.addEventListener("change", function (event) { apply(event.target); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.type !== "checkbox") {
        event.preventDefault();
        apply(event.target);
      }
    });

    modeler.on("selection.changed", function (event) {
      var selected = event.newSelection || [];
      show(selected.length === 1 ? selected[0] : null);
    });
    modeler.on("elements.changed", function (event) {
      if (current && event.elements.indexOf(current) >= 0) {
        var still = modeler.get("elementRegistry").get(current.id);
        show(still || null);
      }
    });
    this.show = show;
  }

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
          body: JSON.stringify({ xml: result.xml, version: Number(root.dataset.version) })
        });
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve({})).then(function (data) {
          return { ok: response.ok, data: data };
        });
      }).then(function (answer) {
        var data = answer.data || {};
        if (answer.ok) {
          root.dataset.version = String(data.version);
          root.dataset.saved = String(data.version);
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
        new Panel(modeler, root);
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
  if (root && window.BpmnJS && window.fetch) { init(root); }
})();
