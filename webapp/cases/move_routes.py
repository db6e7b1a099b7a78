"""The case page's everyday moves and the 抄送我的 list: the starter's 撤回 (withdraw), 抄送 (cc) by
hand, and 催办 (urge) a waiting step. Each route performs one engine command and commits once; a
refusal the person can act on comes back as a message on the page they came from."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import access, queries, runtime
from engine.errors import Conflict, InvalidData, TooSoon

from ..extensions import db, engine
from .blueprint import bp


def _back(default: str) -> Any:
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else default, 303)


def _note() -> str:
    return request.form.get("note") or request.form.get("reason") or ""


@bp.post("/cases/<int:case_id>/withdraw")
@login_required
def withdraw(case_id: int) -> Any:
    back = url_for("cases.detail", case_id=case_id)
    access.ensure_visible(db.session, current_user, case_id, rules=engine().supervision)
    try:
        runtime.withdraw(engine(), db.session, case_id, current_user, request.form.get("reason"))
    except InvalidData as exc:
        db.session.rollback()
        flash(_("Give a reason: it is kept in the case's history.") if exc.fields.get("reason") == "required"
              else _("The reason is too long (at most 2000 characters)."), "danger")
        return _back(back)
    except Conflict:
        db.session.rollback()
        flash(_("Not withdrawn: the case has ended, has passed a step after which it cannot be withdrawn, "
                "or someone changed it at the same moment."), "danger")
        return _back(back)
    db.session.commit()
    flash(_("Case withdrawn. Its open steps are closed and the people who held them can see why."), "success")
    return _back(back)


@bp.post("/cases/<int:case_id>/cc")
@login_required
def cc(case_id: int) -> Any:
    back = url_for("cases.detail", case_id=case_id)
    names = [n for value in request.form.getlist("usernames") for n in value.replace("，", ",").split(",")]
    try:
        cc_to = runtime.cc_case(engine(), db.session, case_id, current_user, names, request.form.get("note"))
    except InvalidData as exc:
        db.session.rollback()
        why = exc.fields.get("usernames") or ""
        flash(_("Choose at least one colleague.") if why == "required"
              else _("You cannot cc yourself.") if why == "you cannot cc yourself"
              else _("Not sent: %(why)s.", why=why or exc.fields.get("note", "")), "danger")
        return _back(back)
    except Conflict:
        db.session.rollback()
        flash(_("Someone else changed this case at the same moment. Please try again."), "danger")
        return _back(back)
    db.session.commit()
    people = queries.display_names(db.session, cc_to)
    names = "、".join(people.get(n, n) for n in cc_to)
    flash(_("Cc'd to %(names)s: they can now follow this case.", names=names), "success")
    return _back(back)


@bp.post("/cases/<int:case_id>/tasks/<int:task_id>/urge")
@login_required
def urge(case_id: int, task_id: int) -> Any:
    back = url_for("cases.detail", case_id=case_id) + "#open-steps"
    task = access.visible_task(db.session, current_user, task_id, rules=engine().supervision)
    if task.instance_id != case_id:
        return redirect(back, 303)
    try:
        told = runtime.urge(engine(), db.session, task_id, current_user, _note())
    except TooSoon as exc:
        db.session.rollback()
        flash(_("You urged this step less than an hour ago; you can urge it again in %(n)d minutes.",
                n=-(-exc.retry_after // 60)), "warning")
        return _back(back)
    except InvalidData:
        db.session.rollback()
        flash(_("The note is too long (at most 2000 characters)."), "danger")
        return _back(back)
    except Conflict:
        db.session.rollback()
        flash(_("Not urged: the step is no longer waiting."), "warning")
        return _back(back)
    db.session.commit()
    people = queries.display_names(db.session, told)
    names = "、".join(people.get(n, n) for n in told) or "—"
    flash(_("Urged: %(names)s will see it.", names=names), "success")
    return _back(back)


@bp.get("/cc")
@login_required
def cc_inbox() -> Any:
    unread = request.args.get("unread") == "1"
    page_no = request.args.get("page", "1")
    number = int(page_no) if page_no.isascii() and page_no.isdigit() and len(page_no) < 7 else 1
    page = queries.cc_list(db.session, current_user, unread_only=unread, page=max(number, 1))
    people = queries.display_names(db.session, [e.by for e in page.items])
    return render_template("cases/cc.html", page=page, unread=unread, people=people,
                           unread_count=queries.cc_unread(db.session, current_user))
