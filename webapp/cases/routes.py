"""Case list and case page routes: parse, call one engine function, commit once, render or redirect.

Who may see a case is the engine's visibility rule (404 otherwise); who may act on it is its
supervision rule (403). A refusal the person can fix (no reason given, the case has moved on) comes
back as a message on the page they came from.
"""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine import access, queries, runtime
from engine.access import may_supervise_cases
from engine.errors import Conflict, InvalidData, ProcessError
from engine.queries import diagram_of

from ..extensions import db, engine
from ..model_errors import model_error_text
from ..record_ids import record_ids
from ..ui.local_days import user_zone
from ..ui.names import remember_store_names
from .blueprint import bp
from .params import PER_PAGE, parse_params
from .services import DUE_STATES, case_display, csv_lines, refusal

ACTION_DONE = {"terminate": _l("Case terminated."), "suspend": _l("Case suspended."),
               "resume": _l("Case resumed.")}


@bp.get("/instances", defaults={"rest": ""})
@bp.get("/instances/<path:rest>")
def moved(rest: str) -> Any:
    """The case pages' address before they were named cases: bookmarks and links in old mail still work."""
    query = request.query_string.decode("ascii", "replace")
    return redirect("/cases" + (f"/{rest}" if rest else "") + (f"?{query}" if query else ""), 308)


@bp.get("/cases")
@login_required
def index() -> Any:
    params = parse_params(request.args)
    now = engine().clock()
    page = queries.list_cases(db.session, current_user, params.case_filter(user_zone()), now,
                              rules=engine().supervision)
    if page.page > page.pages and page.total:
        return redirect(url_for("cases.index", **params.args(page=page.pages)))
    choices = queries.filter_choices(db.session, current_user)
    remember_store_names(choices["store_names"])
    return render_template("cases/index.html", page=page, params=params, now=now, per_page=PER_PAGE,
                           choices=choices, due_states=DUE_STATES,
                           supervisor=may_supervise_cases(current_user, rules=engine().supervision))


@bp.get("/cases/export.csv")
@login_required
def export() -> Any:
    params = parse_params(request.args)
    now, tz = engine().clock(), user_zone()
    # who may see what is decided now, inside the request; the rows are read while streaming
    ids = queries.matching_ids(db.session, current_user, params.case_filter(tz), now,
                               rules=engine().supervision)
    rows = queries.rows_of(db.session, ids, now, chunk=2000)
    filename = f"cases-{now.astimezone(tz):%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(line.encode("utf-8") for line in csv_lines(rows, tz)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.post("/cases/bulk")
@login_required
def bulk() -> Any:
    back = _back(url_for("cases.index"))
    action = request.form.get("action", "")
    ids = record_ids(request.form.getlist("instance_id"))
    try:
        results = runtime.bulk_action(engine(), db.session, current_user, action, ids,
                                         request.form.get("reason"), request.form.get("assignee"))
    except InvalidData as exc:
        db.session.rollback()
        flash(_form_problem(exc), "danger")
        return redirect(back, 303)
    db.session.commit()
    done = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    if done:
        flash(_("%(action)s: %(n)d case(s) done.", action=_action_name(action), n=len(done)), "success")
    if refused:
        flash(_("%(n)d case(s) refused: %(details)s", n=len(refused), details="; ".join(
            f"#{r.id} {refusal(r.code, action)}" for r in refused[:10])), "warning")
    return redirect(back, 303)


@bp.get("/cases/<int:case_id>")
@login_required
def detail(case_id: int) -> Any:
    now = engine().clock()
    view = case_display(engine(), db.session, current_user, case_id, now)
    if runtime.mark_cc_read(db.session, current_user, case_id, now):
        db.session.commit()  # opening a case cc'd to me marks it read
    return render_template("cases/show.html", view=view, case=view.case, now=now, due_states=DUE_STATES)


@bp.get("/cases/<int:case_id>/diagram.bpmn")
@login_required
def diagram(case_id: int) -> Any:
    xml = diagram_of(db.session, current_user, case_id, rules=engine().supervision)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300",
                                                              "X-Content-Type-Options": "nosniff"})


@bp.post("/cases/<int:case_id>/<any(terminate, suspend, resume):action>")
@login_required
def act(case_id: int, action: str) -> Any:
    try:
        runtime.case_action(engine(), db.session, current_user, case_id, action,
                               request.form.get("reason"))
    except ProcessError as exc:
        db.session.rollback()
        flash(model_error_text(exc), "danger")
        return redirect(url_for("cases.detail", case_id=case_id), 303)
    except (InvalidData, Conflict) as exc:
        db.session.rollback()
        flash(_form_problem(exc) if isinstance(exc, InvalidData) else
              _("Not done: %(why)s.", why=refusal(exc.code, action)), "danger")
        return redirect(url_for("cases.detail", case_id=case_id), 303)
    db.session.commit()
    flash(str(ACTION_DONE[action]), "success")
    return redirect(url_for("cases.detail", case_id=case_id), 303)


@bp.post("/cases/<int:case_id>/tasks/<int:task_id>/assign")
@login_required
def reassign(case_id: int, task_id: int) -> Any:
    access.visible_case(db.session, current_user, case_id, rules=engine().supervision)
    try:
        task = runtime.reassign(engine(), db.session, current_user, task_id, request.form.get("assignee"),
                                   request.form.get("reason"), case_id)
    except (InvalidData, Conflict) as exc:
        db.session.rollback()
        flash(_form_problem(exc) if isinstance(exc, InvalidData) else
              _("Not done: %(why)s.", why=refusal(exc.code, "reassign")), "danger")
        return redirect(url_for("cases.detail", case_id=case_id) + "#open-steps", 303)
    db.session.commit()
    flash(_("The step now lies with %(who)s.", who=task.assignee), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#open-steps", 303)


@bp.post("/cases/<int:case_id>/comments")
@login_required
def comment(case_id: int) -> Any:
    try:
        runtime.add_comment(db.session, current_user, case_id, request.form.get("body", ""),
                            engine().clock(), rules=engine().supervision)
    except InvalidData:
        db.session.rollback()
        flash(_("Write something first (at most 4000 characters)."), "danger")
        return redirect(url_for("cases.detail", case_id=case_id) + "#timeline", 303)
    db.session.commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#timeline", 303)


def _form_problem(exc: InvalidData) -> str:
    if exc.fields.get("reason") == "required":
        return _("Give a reason: it is kept in the case's history.")
    if "user" in exc.fields:
        return _("Choose someone who holds the step's role.")
    if "ids" in exc.fields:
        return _("Select at least one case (at most %(n)d).", n=runtime.MAX_BULK)
    if "reason" in exc.fields:
        return _("The reason is too long (at most 2000 characters).")
    return _("Choose an action.")


def _action_name(action: str) -> str:
    return {"terminate": _("Terminate"), "suspend": _("Suspend"), "resume": _("Resume"),
            "reassign": _("Reassign")}.get(action, action)


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default
