"""The task page: read the case, take the task, fill its form, save a draft or complete it, comment.

Every route first asks the engine for the task as this person may see it (404 otherwise), then
performs one command and commits once.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import access, forms, runtime
from engine.errors import ConcurrentUpdate, Conflict, InvalidData, ProcessError

from ..extensions import db, engine
from ..model_errors import model_error_text
from ..ui.case_text import what_next
from ..ui.command_text import command_text
from ..ui.form_fields import Ready, build_fields, localize_errors, parse_submission, unplaced_errors
from ..ui.names import step_name
from ..uploads import save_form_files
from .blueprint import bp
from .decision_post import back_to, wants_json, with_decision
from .services import TaskPage, task_page


def _tz() -> str:
    return current_user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _render(page: TaskPage, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
            status: int = 200) -> Any:
    fields = build_fields(page.form, page.values if values is None else values, errors)
    if page.decision is not None:  # its buttons stand for it: one tap each, no radio and Complete
        fields = [f for f in fields if f.key != page.decision.field]
    templates = [f"tasks/{page.task.process_key}/{page.task.element_id}.html", "tasks/form.html"]
    imports = forms.importable(page.form) if page.may_act and page.task.state == "open" else []
    return render_template(templates, page=page, fields=fields, now=engine().clock(), imports=imports,
                           form_errors=unplaced_errors(fields, errors or {}, page.form)), status


@bp.get("/tasks/<int:task_id>")
@login_required
def detail(task_id: int) -> Any:
    return _render(task_page(engine(), db.session, current_user, task_id))


@bp.post("/tasks/<int:task_id>")
@login_required
def submit(task_id: int) -> Any:
    """Complete the task with the posted form, or keep it as a draft (`action=draft`). A decision
    button posts its choice beside the form (`with_decision`); the list's script asks for JSON."""
    page = task_page(engine(), db.session, current_user, task_id)
    json = wants_json()
    if not page.may_act:
        message = _("This task is not yours to work on any more.")
        if json:
            return jsonify(ok=False, message=message), 409
        flash(message, "warning")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    posted = with_decision(request.form, page.decision)
    data = parse_submission(page.form, posted, original=page.values, tz=_tz())
    refused = save_form_files(page.form, request.files, data, current_user, engine().clock(),
                              page.task.instance_id, task_id)
    writable = {k for k, p in ((page.form or {}).get("properties") or {}).items() if not p.get("readOnly")}
    shown = {**{k: v for k, v in page.values.items() if k not in writable}, **data}
    if refused:
        db.session.commit()  # the accepted files stay with the case; the form is shown again
        return _render(page, shown, refused, 422)
    if request.form.get("action") == "draft":
        engine().save_draft(db.session, task_id, current_user, data)
        db.session.commit()
        flash(_("Draft saved. Your entries are kept until you complete the task."), "success")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    try:
        case = engine().complete(db.session, task_id, current_user, data)
    except (InvalidData, ProcessError) as exc:
        db.session.rollback()
        errors = exc.fields if isinstance(exc, InvalidData) else {"_model": Ready(model_error_text(exc))}
        if json:  # the script posts the form itself then, and the page shows what to correct
            return jsonify(ok=False, fields=localize_errors(page.form or {}, errors)), 422
        return _render(page, shown, errors, 422)
    except ConcurrentUpdate:
        db.session.rollback()
        message = _("Someone else changed this case at the same moment. Please check it and try again.")
        if json:
            return jsonify(ok=False, message=message), 409
        flash(message, "danger")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    db.session.commit()
    step = step_name(page.task.process_key, page.task.element_id, page.task.name,
                     version_id=page.task.version_id)
    held = any(t.id == task_id and t.waiting_on for t in case.open_tasks)  # 加签: approvers after me
    message = (_("“%(step)s” is submitted; it waits for the approvers you asked.", step=step) if held
               else _("“%(step)s” is done.", step=step)) + " " + what_next(case)
    if json:
        return jsonify(ok=True, message=message, task_id=task_id)
    flash(message, "success")
    return redirect(back_to(request.form, url_for("tasks.index")), 303)


@bp.post("/tasks/<int:task_id>/import/<field>")
@login_required
def import_rows(task_id: int, field: str) -> Any:
    """Fill a list of the form from an uploaded count sheet (Excel or CSV): the rows become the draft,
    shown to check."""
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision, now=engine().clock())
    upload = request.files.get("file")
    try:
        count = runtime.import_rows(engine(), db.session, current_user, task_id, field,
                                    upload.read() if upload else b"", upload.filename or "" if upload else "")
    except InvalidData as exc:
        db.session.rollback()
        flash(_("The file was not read: %(reason)s", reason=command_text(exc.message, {})[0]), "danger")
    else:
        db.session.commit()
        flash(_("%(n)d rows read from the file into the form: check them and complete the step.", n=count),
              "success")
    return redirect(url_for("tasks.detail", task_id=task_id), 303)


@bp.get("/tasks/<int:task_id>/import/<field>/template.<kind>")
@login_required
def import_template(task_id: int, field: str, kind: str) -> Any:
    """An empty count sheet, its first row naming the columns as the upload reads them."""
    page = task_page(engine(), db.session, current_user, task_id)
    if kind not in ("csv", "xlsx") or field not in forms.importable(page.form):
        abort(404)
    header = forms.sheet_header(page.form or {}, field)
    name = str((page.form or {})["properties"][field].get("title") or field)
    if kind == "xlsx":
        content = forms.xlsx_of([header], name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        text = io.StringIO()
        csv.writer(text).writerow(header)
        content, mimetype = text.getvalue().encode("utf-8-sig"), "text/csv"  # the mark tells Excel: UTF-8
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=f"{name}.{kind}", max_age=0)


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Any:
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision, now=engine().clock())
    try:
        engine().claim(db.session, task_id, current_user)
    except Conflict:
        db.session.rollback()
        flash(_("Someone else has already taken this task, or it is finished."), "warning")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    db.session.commit()
    flash(_("The task is yours now."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id), 303)


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> Any:
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    try:
        engine().unclaim(db.session, task_id, current_user)
    except Conflict:
        db.session.rollback()
        flash(_("This task is not held by anyone, or it is finished."), "warning")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    db.session.commit()
    flash(_("You released the task; others with the role can take it now."), "success")
    return redirect(url_for("tasks.index"), 303)


@bp.post("/tasks/<int:task_id>/transfer")
@login_required
def transfer(task_id: int) -> Any:
    """转交: hand the task to a colleague with the role, saying why."""
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    back = url_for("tasks.detail", task_id=task_id)
    try:
        view = runtime.transfer(engine(), db.session, task_id, current_user, request.form.get("to", ""),
                                request.form.get("reason", ""))
    except InvalidData as exc:
        db.session.rollback()
        flash(_("Give a reason for the transfer.") if "reason" in exc.fields
              else _("Choose a colleague who holds the role for this step."), "danger")
        return redirect(back + "#move-transfer", 303)
    except (Conflict, ConcurrentUpdate):
        db.session.rollback()
        flash(_("The task changed at the same moment (completed or handed on). Please check it."), "warning")
        return redirect(back, 303)
    db.session.commit()
    flash(_("You handed the task to %(name)s.", name=view.assignee), "success")
    return redirect(back, 303)


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def comment(task_id: int) -> Any:
    task = access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    try:
        runtime.add_comment(db.session, current_user, task.instance_id, request.form.get("body", ""),
                            engine().clock(), task_id=task.id, rules=engine().supervision)
    except InvalidData as exc:
        db.session.rollback()
        flash(_("Write something first.") if exc.fields.get("body") == "required"
              else _("The comment is too long (at most 4000 characters)."), "danger")
        return redirect(url_for("tasks.detail", task_id=task_id) + "#comments", 303)
    db.session.commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id) + "#comments", 303)
