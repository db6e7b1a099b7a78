"""My tasks: the work that is mine or that I may claim, the task page with its form, my cases."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale

from . import forms, names, schema_text

bp = Blueprint("tasks", __name__)

for _fn in (names.process_name, names.process_description, names.step_name, names.role_name,
            names.store_name, names.status_name, names.task_state_name, names.outcome_name,
            forms.field_errors, schema_text.schema_text, format_date, format_datetime, format_decimal,
            format_timedelta, get_locale):
    bp.add_app_template_global(_fn)


@bp.app_template_global()
def has_endpoint(endpoint: str) -> bool:
    """Whether another area of the app (case pages, dashboard, admin) is installed, for links to it."""
    from flask import current_app
    return endpoint in current_app.view_functions


@bp.app_template_test("match_digits")
def _match_digits(value: Any) -> bool:
    """True for an attachment id as forms keep it (a string of digits)."""
    return str(value).isdigit()


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    """`nav_counts()` for the navigation badges, computed only when a page asks for it."""
    def nav_counts() -> dict[str, int]:
        from flask_login import current_user

        from engine.queries.task_lists import task_counts

        from ..extensions import db
        if not current_user.is_authenticated:
            return {"mine": 0, "claimable": 0}
        return task_counts(db.session, current_user)
    return {"nav_counts": nav_counts}


from . import routes, task_routes  # noqa: E402,F401
