// The decision table editor (admin/decision_editor.html): the .dmn file in the dmn-js modeler,
// one button per decision table in the file; on save the edited XML goes into the form's textarea
// and the form posts it (the server validates and deploys it as a new version).
(function () {
  'use strict';
  var container = document.getElementById('decision-editor');
  if (!container || typeof window.DmnJS !== 'function') { return; }
  var form = document.getElementById('decision-form');
  var source = document.getElementById('dmn-xml');
  var views = document.getElementById('decision-views');
  var save = document.getElementById('save-decision');
  var problem = document.getElementById('decision-problem');
  // SpiffWorkflow evaluates the cells as Python, so the cells are plain text: no FEEL editor (whose
  // CodeMirror would inject <style> elements, which the page's policy refuses)
  // and dmn-js's own words in the person's language (data-texts: its English → ours)
  var texts = JSON.parse(container.getAttribute('data-texts') || '{}');
  function translate(template, replacements) {
    var text = Object.prototype.hasOwnProperty.call(texts, template) ? texts[template] : template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && key in replacements ? replacements[key] : '{' + key + '}';
    });
  }
  var modeler = new window.DmnJS({
    container: container,
    common: {expressionLanguages: {options: [{value: 'python', label: 'Python'}], defaults: {editor: 'python'}}},
    // per view: dmn-js replaces a common additionalModules with the view's own
    decisionTable: {additionalModules: [{translate: ['value', translate]}]},
    literalExpression: {additionalModules: [{translate: ['value', translate]}]}
  });
  var saving = false;

  function tables() {
    return modeler.getViews().filter(function (view) { return view.type === 'decisionTable'; });
  }

  function showButtons() {
    var active = modeler.getActiveView();
    views.replaceChildren();
    tables().forEach(function (view) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-outline-secondary tap-target' + (active && active.element === view.element ? ' active' : '');
      button.setAttribute('aria-pressed', active && active.element === view.element ? 'true' : 'false');
      button.textContent = view.element.name || view.element.id;
      button.addEventListener('click', function () { modeler.open(view).then(showButtons); });
      views.appendChild(button);
    });
  }

  modeler.importXML(source.value, {open: false}).then(function () {  // straight to a table: the DRD view is not drawn
    var first = tables()[0];
    return first ? modeler.open(first) : null;
  }).then(function () {
    showButtons();
    save.disabled = false;
    container.setAttribute('data-rendered', 'true');
  }).catch(function (err) {
    problem.textContent = problem.getAttribute('data-unreadable').replace('%(reason)s', err && err.message ? err.message : String(err));
    container.setAttribute('data-rendered', 'error');
  });

  form.addEventListener('submit', function (event) {
    if (saving) { return; }
    event.preventDefault();
    save.disabled = true;
    modeler.saveXML({format: true}).then(function (result) {
      source.value = result.xml;
      saving = true;
      form.submit();
    }).catch(function (err) {
      problem.textContent = err && err.message ? err.message : String(err);
      save.disabled = false;
    });
  });
}());
