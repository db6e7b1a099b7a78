"""The task page's 加签 / 减签 moves: the holder asks people to approve before or after them, or takes
a request back; the person asked decides 同意 or 不同意 with a comment.

Each route asks the engine for the task as this person may see it (404 otherwise), performs one
command, commits once, and says in a flash message what happened or why it could not.
"""
from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import access, runtime
from engine.errors import ConcurrentUpdate, Conflict, InvalidData, PermissionDenied

from ..extensions import db, engine
from .blueprint import bp
from .decision_post import back_to, wants_json


def _back(task_id: int) -> Any:
    return redirect(url_for("tasks.detail", task_id=task_id), 303)


def _refused(exc: Exception) -> str:
    if isinstance(exc, InvalidData):
        fields = exc.fields
        if "usernames" in fields:
            return _("Choose one to ten people to ask: not yourself, and nobody asked already on this step.")
        if "reason" in fields:
            return _("Please give a reason.")
        if "comment" in fields:
            return _("Please say why you do not agree.")
        if "username" in fields:
            return _("That person has no open approval on this step.")
        return _("Please check what you entered.")
    if isinstance(exc, PermissionDenied):
        return _("Only the person holding this step may do that.")
    if isinstance(exc, ConcurrentUpdate):
        return _("Someone else changed this case at the same moment. Please check it and try again.")
    return _("This is not possible any more: the step has moved on. Please check it.")


@bp.post("/tasks/<int:task_id>/add-approvers")
@login_required
def add_approvers(task_id: int) -> Any:
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    names = request.form.getlist("usernames")
    position = request.form.get("position", "")
    try:
        runtime.add_approvers(engine(), db.session, task_id, current_user, names, position,
                              request.form.get("reason", ""))
    except (InvalidData, PermissionDenied, Conflict) as exc:
        db.session.rollback()
        flash(_refused(exc), "danger")
        return _back(task_id)
    db.session.commit()
    flash(_("Approvers asked. They decide before you can complete the step.") if position == "before"
          else _("Approvers named. They are asked when you complete the step."), "success")
    return _back(task_id)


@bp.post("/tasks/<int:task_id>/remove-approver")
@login_required
def remove_approver(task_id: int) -> Any:
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    try:
        runtime.remove_approver(engine(), db.session, task_id, current_user, request.form.get("username", ""),
                                request.form.get("reason", ""))
    except (InvalidData, PermissionDenied, Conflict) as exc:
        db.session.rollback()
        flash(_refused(exc), "danger")
        return _back(task_id)
    db.session.commit()
    flash(_("The approver was taken off."), "success")
    return _back(task_id)


@bp.post("/tasks/<int:task_id>/decide")
@login_required
def decide(task_id: int) -> Any:
    """同意 / 不同意 an approval asked of me: from its page, its phone bar (`_decision`, the comment in
    its sheet) or the task list (`next`; its script asks for JSON and stays on the list)."""
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    json = wants_json()
    decision = request.form.get("_decision") or request.form.get("decision")  # the phone bar's first
    if decision not in runtime.DECISIONS:
        if json:
            return jsonify(ok=False, message=_("Choose agree or do not agree.")), 422
        flash(_("Choose agree or do not agree."), "danger")
        return _back(task_id)
    try:
        runtime.decide(engine(), db.session, task_id, current_user, decision == runtime.APPROVE,
                       next((c for c in request.form.getlist("comment") if c.strip()), ""))
    except (InvalidData, PermissionDenied, Conflict) as exc:
        db.session.rollback()
        if json:
            return jsonify(ok=False, message=_refused(exc)), 422 if isinstance(exc, InvalidData) else 409
        flash(_refused(exc), "danger")
        return _back(task_id)
    db.session.commit()
    message = (_("You agreed.") if decision == runtime.APPROVE
               else _("You did not agree; the step goes back to its holder with your comment."))
    if json:
        return jsonify(ok=True, message=message, task_id=task_id)
    flash(message, "success")
    return redirect(back_to(request.form, url_for("tasks.index")), 303)
