"""The task list (a plain first version; the full task pages come with the employee UI)."""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import queries

from . import bp
from .. import engine
from ..extensions import db


@bp.get("/")
def home() -> Any:
    return redirect(url_for("tasks.index"))


@bp.get("/tasks")
@login_required
def index() -> Any:
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "claimable"):
        scope = "mine"
    page = queries.list_tasks(db.session, current_user, queries.TaskFilter(scope=scope, per_page=50),
                              engine().clock())
    counts = queries.task_counts(db.session, current_user)
    return render_template("tasks/list.html", page=page, scope=scope, counts=counts, now=engine().clock())
