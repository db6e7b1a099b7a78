"""GET /dashboard: parse the filters, compute the figures for this viewer, render charts and tables."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user, login_required

from engine import access, queries
from engine.errors import PermissionDenied
from engine.queries import filter_choices

from ..extensions import db, engine
from ..ui.local_days import user_zone
from ..ui.names import remember_store_names
from .blueprint import bp
from .charts import PERIODS, parse_params, totals
from .drill import Drill, linked_chart_data


@bp.app_context_processor
def _menu() -> dict[str, Any]:
    """`shows_dashboard()` for the menu: the entry is there only for those who may open it."""
    def shows_dashboard() -> bool:
        return bool(current_user.is_authenticated
                    and access.may_view_dashboard(current_user, rules=engine().supervision))
    return {"shows_dashboard": shows_dashboard}


@bp.get("/dashboard")
@login_required
def index() -> Any:
    if not access.may_view_dashboard(current_user, rules=engine().supervision):
        raise PermissionDenied("the dashboard is for supervisors")
    now, tz = engine().clock(), user_zone()
    params = parse_params(request.args)
    board = queries.dashboard_view(db.session, current_user, params.dashboard_filter(now, tz), now, tz,
                                   rules=engine().supervision, zone=engine().zone)
    drill = Drill(params, now, tz)
    choices = filter_choices(db.session, current_user)
    remember_store_names(choices["store_names"])
    return render_template("dashboard/index.html", board=board, params=params,
                           charts=linked_chart_data(board, drill), drill=drill,
                           totals=totals(board), periods=PERIODS, now=now,
                           choices=choices)
