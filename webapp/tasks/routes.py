"""The task list (我的待办): 待办 (mine and claimable), mine, claimable; filters, saved filters, bulk
claim, live refresh; and my cases."""
from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import access, queries
from engine.errors import InvalidData
from engine.queries import delete_filter, list_filters, my_cases, save_filter, worklist_stamp
from engine.runtime import claim_many

from ..extensions import db, engine
from ..record_ids import record_ids
from ..ui import nav_counts
from ..ui.local_days import user_zone
from .blueprint import bp
from .filters import parse_params
from .services import filter_options


@bp.get("/")
def home() -> Any:
    return redirect(url_for("tasks.index"))


@bp.get("/tasks")
@login_required
def index() -> Any:
    params = parse_params(request.args)
    now = engine().clock()
    fragment = bool(request.args.get("fragment"))
    # the whole page shows the counts too: my pool's grants (whom I stand in for: 代理) read once for both
    grants = None if fragment else access.acting_grants(db.session, current_user, now)
    page = queries.list_tasks(db.session, current_user, params.task_filter(now, user_zone()), now, grants)
    if page.page > page.pages and page.total:
        return redirect(url_for("tasks.index", **params.args(page=page.pages)))
    context = {"page": page, "params": params, "now": now,
               "urges": queries.urge_counts(db.session, [t.id for t in page.items]),
               "decisions": queries.list_decisions(engine(), db.session, page.items, current_user.username)}
    if fragment:
        return render_template("tasks/_list.html", **context)
    processes, stores = filter_options(db.session)
    return render_template("tasks/list.html", counts=nav_counts(grants),  # the badges read the same
                           processes=processes, stores=stores,
                           saved_filters=list_filters(db.session, current_user),
                           standing_in=access.standing_in_for(db.session, current_user, now), **context)


@bp.get("/tasks/poll")
@login_required
def poll() -> Any:
    """Counts (and the bell's) and a fingerprint of both lists; the page reloads its list only when it
    changes."""
    response = jsonify({**worklist_stamp(db.session, current_user, engine().clock()),
                        "inbox": queries.unread_count(db.session, current_user)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tasks/claim")
@login_required
def claim_selected() -> Any:
    ids = record_ids(request.form.getlist("task_id"))
    if not ids:
        flash(_("Select the tasks you want to take first."), "warning")
        return redirect(_back())
    results = claim_many(engine(), db.session, current_user, ids)
    db.session.commit()
    claimed = sum(r.ok for r in results)
    if claimed:
        flash(_("You took %(n)d task(s). They are now in “Assigned to me”.", n=claimed), "success")
    if claimed < len(results):
        flash(_("%(n)d task(s) could not be taken: someone else was quicker, or they are not yours to take.",
                n=len(results) - claimed), "warning")
    return redirect(url_for("tasks.index") if claimed else _back())


@bp.post("/tasks/filters")
@login_required
def save_current_filter() -> Any:
    params = parse_params(request.form)
    try:
        save_filter(db.session, current_user, request.form.get("name", ""), params.saved(), engine().clock())
    except InvalidData as exc:
        db.session.rollback()
        message = (_("Give the filter a name.") if exc.fields.get("name") == "required"
                   else _("The filter could not be saved (the name may be too long, or you have too many)."))
        flash(message, "danger")
        return redirect(url_for("tasks.index", **params.args(page=1)))
    db.session.commit()
    flash(_("Filter saved."), "success")
    return redirect(url_for("tasks.index", **params.args(page=1)))


@bp.post("/tasks/filters/<int:filter_id>/delete")
@login_required
def remove_filter(filter_id: int) -> Any:
    delete_filter(db.session, current_user, filter_id)
    db.session.commit()
    flash(_("Filter removed."), "success")
    return redirect(url_for("tasks.index"))


@bp.get("/outcomes")
@login_required
def outcomes() -> Any:
    """Cases I started or worked on: the ones still running, and how the others ended."""
    return render_template("tasks/outcomes.html",
                           running=my_cases(db.session, current_user, running=True),
                           ended=my_cases(db.session, current_user, running=False))


def _back() -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else url_for("tasks.index")
