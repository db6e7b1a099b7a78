// The form editor (admin/form_editor.html): as the schema is typed, the server renders its fields
// with the task page's own renderer (POST data-preview-url) and they are shown at desktop width and
// at a phone's 390 px. The phone copy gets its ids and names prefixed (one page, two copies) and
// loses Bootstrap's breakpoint classes (col-md-6, d-lg-none, ...), which at 390 px do not apply.
(function () {
  'use strict';
  var text = document.getElementById('schema-text');
  if (!text) { return; }
  var desktop = document.getElementById('preview-desktop');
  var phone = document.getElementById('preview-phone');
  var problem = document.getElementById('schema-problem');
  var csrf = document.querySelector('#form-editor input[name="csrf_token"]').value;
  var BREAKPOINT = /^(?:col-(?:sm|md|lg|xl|xxl)(?:-.+)?|[a-z]+(?:-[a-z]+)*-(?:sm|md|lg|xl|xxl)-.+)$/;
  var REFS = ['for', 'aria-describedby', 'aria-labelledby', 'aria-controls', 'form'];
  var timer = null;
  var sent = 0;

  function phoneCopy(html) {
    var box = document.createElement('template');
    box.innerHTML = html;
    box.content.querySelectorAll('*').forEach(function (el) {
      if (el.id) { el.id = 'phone-' + el.id; }
      if (el.getAttribute('name')) { el.setAttribute('name', 'phone-' + el.getAttribute('name')); }
      REFS.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) {
          el.setAttribute(attr, value.split(/\s+/).map(function (id) { return 'phone-' + id; }).join(' '));
        }
      });
      Array.prototype.slice.call(el.classList).forEach(function (name) {
        if (BREAKPOINT.test(name)) { el.classList.remove(name); }
      });
    });
    phone.replaceChildren(box.content);
  }

  function show(html) {
    desktop.innerHTML = html;
    phoneCopy(html);
    desktop.classList.remove('preview-stale');
    phone.classList.remove('preview-stale');
    desktop.setAttribute('data-rendered', String(sent));
  }

  function refresh() {
    var body = new FormData();
    body.append('csrf_token', csrf);
    body.append('schema', text.value);
    var name = document.getElementById('form-filename');  // a new form: errors name the file as typed
    if (name && name.value) { body.append('filename', name.value); }
    var mine = ++sent;
    fetch(text.getAttribute('data-preview-url'), {method: 'POST', body: body, credentials: 'same-origin',
                                                 headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== sent) { return; }  // a newer schema is on its way
        if (answer.ok) {
          problem.textContent = '';
          text.classList.remove('is-invalid');
          text.removeAttribute('aria-invalid');
          show(answer.html);
        } else {
          problem.textContent = answer.error || '';
          text.classList.add('is-invalid');
          text.setAttribute('aria-invalid', 'true');
          desktop.classList.add('preview-stale');
          phone.classList.add('preview-stale');
          desktop.setAttribute('data-rendered', String(sent));
        }
      })
      .catch(function () { /* offline or signed out: the save still checks everything */ });
  }

  text.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
  document.querySelectorAll('input[name="preview-width"]').forEach(function (radio) {
    radio.addEventListener('change', function () {
      desktop.classList.toggle('d-none', radio.value !== 'desktop' || !radio.checked);
      phone.classList.toggle('d-none', radio.value !== 'phone' || !radio.checked);
    });
  });
  phoneCopy(desktop.innerHTML);
  desktop.setAttribute('data-rendered', '0');
}());
