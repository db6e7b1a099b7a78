"""The inbox page: my notifications (cards on a phone), opening one (which marks it read), marking
one or all read."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import queries, runtime

from ..extensions import db, engine
from .blueprint import bp


@bp.get("/inbox")
@login_required
def index() -> Any:
    unread = request.args.get("unread") == "1"
    page_no = request.args.get("page", "1")
    number = int(page_no) if page_no.isascii() and page_no.isdigit() and len(page_no) < 7 else 1
    page = queries.inbox(db.session, current_user, unread_only=unread, page=max(number, 1))
    return render_template("inbox/index.html", page=page, unread=unread,
                           unread_count=queries.unread_count(db.session, current_user))


@bp.post("/inbox/<int:notification_id>/open")
@login_required
def open_entry(notification_id: int) -> Any:
    """Mark the entry read and go to its step, or to its case when it names no step."""
    entry = queries.inbox_entry(db.session, current_user, notification_id)
    runtime.mark_read(db.session, current_user, notification_id, engine().clock())
    db.session.commit()
    if entry.task_id is not None:
        return redirect(url_for("tasks.detail", task_id=entry.task_id), 303)
    if entry.instance_id is not None:
        return redirect(url_for("cases.detail", case_id=entry.instance_id), 303)
    if entry.kind in ("claimable", "digest"):  # several tasks: the task list shows them
        return redirect(url_for("tasks.index"), 303)
    return redirect(url_for("inbox.index"), 303)


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Any:
    runtime.mark_read(db.session, current_user, notification_id, engine().clock())
    db.session.commit()
    return redirect(_back(), 303)


@bp.post("/inbox/read-all")
@login_required
def mark_all_read() -> Any:
    marked = runtime.mark_all_read(db.session, current_user, engine().clock())
    db.session.commit()
    if marked:
        flash(_("Marked %(n)d notification(s) read.", n=marked), "success")
    return redirect(_back(), 303)


def _back() -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/inbox") else url_for("inbox.index")


