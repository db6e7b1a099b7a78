/* The modeler's properties panel (templates/admin/modeler.html; modeler.js creates it): the selected
 * element's OpsFlow properties (docs/modelling.md) — its name, English name, the lane's role, form,
 * decision table, due hours, priority, assignee, cc, point of no return, approvers, starters, outcome;
 * with nothing selected (or a pool) the process's own — read from and written to the element's
 * spiffworkflow:properties through bpmn-js's commands, so undo and redo cover them.
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
    "bpmn:IntermediateCatchEvent": FLOW_NODE.concat(["formJsonSchemaFilename", "cc"]),
    "bpmn:Lane": ["role"]
  };
  /* The process's own properties (docs/modelling.md, "On the process"). */
  var PROCESS_FIELDS = ["nameEn", "description", "descriptionEn", "starterRoles", "titleTemplate",
                        "businessKeyPrefix", "startStoreStatus", "startStoreKind", "storeFields", "storeListFields"];

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

  /* Writes go through bpmn-js's commands (undo, redo, the diagram's change events). A target is the
     shape they are reported on and the business object written: the element's own, or for a pool or
     the diagram itself, the process's. */
  function Writer(modeler) {
    var moddle = modeler.get("moddle");
    var modeling = modeler.get("modeling");

    function create(type, attrs, parent) {
      var made = moddle.create(type, attrs);
      made.$parent = parent;
      return made;
    }

    function extensions(target) {
      var bo = target.bo;
      if (!bo.extensionElements) {
        modeling.updateModdleProperties(target.element, bo, {
          extensionElements: create("bpmn:ExtensionElements", { values: [] }, bo)
        });
      }
      return bo.extensionElements;
    }

    function addValue(target, value) {
      var ext = extensions(target);
      value.$parent = ext;
      modeling.updateModdleProperties(target.element, ext, { values: ext.get("values").concat([value]) });
    }

    function removeValue(target, value) {
      var ext = target.bo.extensionElements;
      modeling.updateModdleProperties(target.element, ext, {
        values: ext.get("values").filter(function (v) { return v !== value; })
      });
    }

    /* One spiffworkflow:property: set, changed, or removed when `value` is empty. */
    this.property = function (target, name, value) {
      var existing = propertyOf(target.bo, name);
      var properties = propertiesOf(target.bo);
      if (!value) {
        if (existing) {
          modeling.updateModdleProperties(target.element, properties, {
            properties: properties.get("properties").filter(function (p) { return p !== existing; })
          });
        }
        return;
      }
      if (existing) {
        if (existing.value !== value) { modeling.updateModdleProperties(target.element, existing, { value: value }); }
        return;
      }
      if (!properties) {
        properties = create(SPIFF_PROPERTIES, { properties: [] });
        addValue(target, properties);
      }
      var made = create(SPIFF_PROPERTY, { name: name, value: value }, properties);
      modeling.updateModdleProperties(target.element, properties,
                                      { properties: properties.get("properties").concat([made]) });
    };

    this.decision = function (target, id) {
      var existing = decisionOf(target.bo);
      if (!id) {
        if (existing) { removeValue(target, existing); }
      } else if (existing) {
        if (existing.value !== id) { modeling.updateModdleProperties(target.element, existing, { value: id }); }
      } else {
        addValue(target, create(SPIFF_DECISION, { value: id }));
      }
    };

    this.name = function (target, name) {
      if ((target.bo.name || "") === name) { return; }
      if (target.bo === target.element.businessObject) {
        modeling.updateProperties(target.element, { name: name || undefined });
      } else {
        modeling.updateModdleProperties(target.element, target.bo, { name: name || undefined });
      }
    };
  }

  /* What the panel edits for a shape: a pool, or the diagram's root (nothing selected), edits its
     process (the process's name, English name, starters, ...); anything else itself. */
  function targetOf(element) {
    var bo = element.businessObject;
    var process = bo.$type === "bpmn:Participant" ? bo.processRef
      : bo.$type === "bpmn:Collaboration" ? ((bo.participants || [])[0] || {}).processRef
      : bo.$type === "bpmn:Process" ? bo : null;
    return { element: element, bo: process || bo, process: Boolean(process) };
  }

  /* ------------------------------------------------------------ the panel */
  function Panel(modeler, root) {
    var writer = new Writer(modeler);
    var canvas = modeler.get("canvas");
    var form = $("panel-form");
    var types = JSON.parse(root.dataset.types || "{}");
    var current = null;

    function roleList(property) {
      return form.querySelector('[data-roles="' + property + '"]');
    }

    function listed(text) {
      return (text || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    }

    /* A value the pick list lacks (a form of another version, a role no longer held, an outcome word
       the catalogue does not know) is shown, not lost: an option of its own, marked when the list says
       how (`data-unknown`, "%s" standing for the value). */
    function pick(select, value) {
      select.value = value;
      if (value && select.value !== value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = select.dataset.unknown ? select.dataset.unknown.replace("%s", value) : value;
        option.dataset.unknown = "true";
        select.appendChild(option);
        select.value = value;
      }
    }

    function show(element) {
      current = targetOf(element || canvas.getRootElement());
      var bo = current.bo;
      var lane = bo.$type === "bpmn:Lane";
      var wanted = current.process ? PROCESS_FIELDS : fieldsOf(bo);
      $("panel-empty").hidden = !current.process;
      form.hidden = false;
      $("panel-type").textContent = types[bo.$type] || types.other || bo.$type;
      $("panel-id").textContent = bo.id || "";
      $all(form, "[data-field]").forEach(function (field) {
        var name = field.dataset.field;
        field.hidden = name === "name" ? lane : wanted.indexOf(name) < 0;
      });
      $("prop-name").value = lane ? "" : bo.name || "";
      pick($("prop-role"), lane ? (bo.name || "") : "");
      var decision = decisionOf(bo);
      pick($("prop-calledDecisionId"), decision ? (decision.value || "").trim() : "");
      $all(form, "[data-property]").forEach(function (input) {
        var found = propertyOf(bo, input.dataset.property);
        var value = found ? (found.value || "") : "";
        if (input.type === "checkbox") {
          input.checked = value === input.dataset.checkedValue;
        } else if (input.tagName === "SELECT") {
          pick(input, value);
        } else {
          input.value = value;
        }
      });
      ["approverRole", "starterRoles"].forEach(function (property) {
        var found = propertyOf(bo, property);
        var chosen = listed(found && found.value);
        $all(roleList(property), "input").forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
      });
    }

    function apply(input) {
      if (!current) { return; }
      var target = current;
      if (input.id === "prop-name") {
        writer.name(target, input.value.trim());
      } else if (input.id === "prop-role") {
        writer.name(target, input.value);
      } else if (input.id === "prop-calledDecisionId") {
        writer.decision(target, input.value);
      } else if (input.dataset.property) {
        var value = input.type === "checkbox" ? (input.checked ? input.dataset.checkedValue : "") : input.value.trim();
        writer.property(target, input.dataset.property, value);
      } else {
        var box = input.closest("[data-roles]");
        if (!box) { return; }
        var property = box.dataset.roles;
        var found = propertyOf(target.bo, property);
        var chosen = listed(found && found.value).filter(function (role) { return role !== input.value; });
        if (input.checked) { chosen.push(input.value); }  // keeps the order given, a new one last
        writer.property(target, property, chosen.join(", "));
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
      if (current && event.elements.indexOf(current.element) >= 0) {
        var still = modeler.get("elementRegistry").get(current.element.id);
        show(still || null);
      }
    });
    show(null);
    this.show = show;
  }

  window.OpsFlowPanel = Panel;
})();
