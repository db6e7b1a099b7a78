"""An administrator's part in 代理 and 离职交接, on the user page: set or end anyone's away period,
and hand every task a person holds to a colleague (deactivating them) in one action."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import directory, runtime
from engine.errors import InvalidData

from ..extensions import db, engine
from ..ui.away_form import away_messages, away_values, local_input
from .blueprint import bp


def away_context(account: directory.UserRow) -> dict[str, Any]:
    """What the user page's away and handover sections show."""
    now = engine().clock()
    away = directory.away_of(db.session, current_user, account.id, now)
    form = {"deputy": away.deputy if away else "", "starts_at": local_input(away.starts_at if away else now),
            "ends_at": local_input(away.ends_at if away else None)}
    colleagues = [(u.username, u.display_name) for u in directory.list_users(db.session, current_user)
                  if u.active and u.id != account.id]
    return {"away": away, "away_form": form, "away_errors": {},
            "deputies": directory.deputy_candidates(db.session, current_user, account.id),
            "colleagues": colleagues}


@bp.post("/users/<int:user_id>/away")
def user_away(user_id: int) -> Any:
    try:
        directory.set_away(db.session, current_user, user_id, now=engine().clock(),
                           **away_values(request.form))
    except InvalidData as exc:
        db.session.rollback()
        flash(" ".join(away_messages(exc.fields).values()), "danger")
        return redirect(url_for("admin.edit_user", user_id=user_id) + "#away", 303)
    db.session.commit()
    flash(_("The away period is saved."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id) + "#away", 303)


@bp.post("/users/<int:user_id>/away/clear")
def user_away_clear(user_id: int) -> Any:
    if directory.clear_away(db.session, current_user, user_id, engine().clock()):
        db.session.commit()
        flash(_("The away period has ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id) + "#away", 303)


@bp.post("/users/<int:user_id>/handover")
def user_handover(user_id: int) -> Any:
    """离职交接: every task the person holds to the named colleague, and (checked) deactivate them."""
    try:
        result = runtime.hand_over(engine(), db.session, current_user, user_id, request.form.get("to", ""),
                                   request.form.get("reason", ""),
                                   deactivate=bool(request.form.get("deactivate")))
    except InvalidData as exc:
        db.session.rollback()
        flash(_("Give a reason.") if "reason" in exc.fields else _("Choose an active colleague."), "danger")
        return redirect(url_for("admin.edit_user", user_id=user_id) + "#handover", 303)
    db.session.commit()
    flash(_("%(n)s tasks of %(name)s went to %(to)s.", n=len(result.task_ids), name=result.username,
            to=result.to) + (" " + _("The account is deactivated.") if result.deactivated else ""), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id), 303)
