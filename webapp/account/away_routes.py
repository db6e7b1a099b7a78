"""代理: my away period and deputy (`/account/away`): set, replace or end it."""
from __future__ import annotations

from typing import Any, Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import directory
from engine.errors import InvalidData

from ..extensions import db, engine
from ..ui.away_form import away_messages, away_values, local_input
from .blueprint import bp


def _page(form: Mapping[str, Any] | None = None, fields: Mapping[str, str] | None = None,
          status: int = 200) -> Any:
    now = engine().clock()
    away = directory.away_of(db.session, current_user, current_user.id, now)
    if form is None:
        form = {"deputy": away.deputy if away else "",
                "starts_at": local_input(away.starts_at if away else now),
                "ends_at": local_input(away.ends_at if away else None)}
    candidates = directory.deputy_candidates(db.session, current_user, current_user.id)
    return render_template("account/away.html", away=away, candidates=candidates, form=form,
                           errors=away_messages(fields or {})), status


@bp.get("/account/away")
@login_required
def away() -> Any:
    return _page()


@bp.post("/account/away")
@login_required
def set_away() -> Any:
    values = away_values(request.form)
    try:
        directory.set_away(db.session, current_user, current_user.id, now=engine().clock(), **values)
    except InvalidData as exc:
        db.session.rollback()
        sent = {k: request.form.get(k, "") for k in ("deputy", "starts_at", "ends_at")}
        return _page(sent, exc.fields, 422)
    db.session.commit()
    flash(_("Your away period is saved."), "success")
    return redirect(url_for("account.away"), 303)


@bp.post("/account/away/clear")
@login_required
def clear_away() -> Any:
    if directory.clear_away(db.session, current_user, current_user.id, engine().clock()):
        db.session.commit()
        flash(_("Your away period has ended."), "success")
    return redirect(url_for("account.away"), 303)
