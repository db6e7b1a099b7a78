/* OpsFlow: decisions as buttons (tasks/_decide.html); every button works without this script.
 *  - a required comment is asked for before the post, beside the button, not after a reload
 *  - a comment sheet starts from the form's own comment and keeps it in step; one sheet open at a time
 *  - on the task list a decision is posted in the background: the task leaves the list, the page stays
 */
(function () {
  "use strict";

  function $all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  /* A button whose choice needs a comment names the textarea that must hold it. */
  function commentMissing(button) {
    var id = button.getAttribute("data-comment-required");
    var field = id && document.getElementById(id);
    if (!field || field.value.trim()) { return false; }
    field.classList.add("is-invalid");
    field.setAttribute("aria-invalid", "true");
    var sheet = field.closest("details");
    if (sheet) { sheet.open = true; }
    field.focus();
    field.addEventListener("input", function clear() {
      field.classList.remove("is-invalid");
      field.removeAttribute("aria-invalid");
      field.removeEventListener("input", clear);
    });
    return true;
  }

  function wireSheets() {
    document.addEventListener("toggle", function (event) {
      var sheet = event.target;
      if (!sheet.classList || !sheet.classList.contains("decide-sheet") || !sheet.open) { return; }
      var group = sheet.getAttribute("name");
      $all(document, "details.decide-sheet[open]").forEach(function (other) {
        if (other !== sheet && other.getAttribute("name") === group) { other.open = false; }
      });
      var note = sheet.querySelector("textarea");
      var mirror = note && note.getAttribute("data-mirror") && document.getElementById(note.getAttribute("data-mirror"));
      if (mirror && !note.value) { note.value = mirror.value; }
      if (note) { note.focus({ preventScroll: true }); }
    }, true);
    document.addEventListener("input", function (event) {
      var note = event.target;
      var id = note.getAttribute && note.getAttribute("data-mirror");
      var mirror = id && document.getElementById(id);
      if (mirror) { mirror.value = note.value; }
    });
  }

  function showStatus(text, kind) {
    var box = document.getElementById("decide-status");
    if (!box) { announce(text); return; }
    box.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-" + kind + " py-2";
    alert.textContent = text;
    box.appendChild(alert);
  }

  /* The list: post in the background and take the decided task off the list; anything but success
   * posts the form the ordinary way, and the task page says what to correct. */
  function decideInPlace(form, submitter) {
    var body = new FormData(form, submitter);
    form.setAttribute("aria-busy", "true");
    $all(document, '[form="' + form.id + '"]').forEach(function (el) { el.disabled = true; });
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok || !result.data.ok) { throw new Error("refused"); }
        var row = document.querySelector('#task-list [data-task-id="' + form.getAttribute("data-decides") + '"]');
        if (row) { row.remove(); }
        form.remove();
        showStatus(result.data.message, "success");
        announce(result.data.message);
      })
      .catch(function () {
        form.setAttribute("data-native", "1");
        $all(document, '[form="' + form.id + '"]').forEach(function (el) { el.disabled = false; });
        form.requestSubmit(submitter);
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-comment-required]");
    if (button && commentMissing(button)) { event.preventDefault(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("list-decide") || form.getAttribute("data-native") || !window.fetch) { return; }
    event.preventDefault();
    decideInPlace(form, event.submitter);
  });

  document.addEventListener("DOMContentLoaded", wireSheets);
})();
