"""The task page's 退回: send the case back to an earlier step, with a reason (one command, one commit)."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import access, runtime
from engine.errors import Conflict, InvalidData, PermissionDenied, ProcessError

from ..extensions import db, engine
from ..model_errors import model_error_text
from ..ui.case_text import what_next
from .blueprint import bp


@bp.post("/tasks/<int:task_id>/send-back")
@login_required
def send_back(task_id: int) -> Any:
    access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    try:
        case = runtime.send_back(engine(), db.session, task_id, current_user, request.form.get("to", ""),
                                 request.form.get("reason", ""))
    except InvalidData as exc:
        db.session.rollback()
        flash(_("Say why the case goes back.") if "reason" in exc.fields
              else _("The case cannot go back to that step."), "danger")
        return redirect(url_for("tasks.detail", task_id=task_id) + "#move-send_back", 303)
    except ProcessError as exc:  # the model failed while the case ran back: nothing was kept
        db.session.rollback()
        flash(model_error_text(exc), "danger")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    except PermissionDenied:
        db.session.rollback()
        flash(_("This task is not yours to work on any more."), "warning")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    except Conflict:
        db.session.rollback()
        flash(_("Someone else changed this case at the same moment. Please check it and try again."),
              "danger")
        return redirect(url_for("tasks.detail", task_id=task_id), 303)
    db.session.commit()
    flash(_("The case went back.") + " " + what_next(case), "success")
    return redirect(url_for("tasks.index"), 303)
