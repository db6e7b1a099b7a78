"""What every page shares: the names, form fields, case values and texts people read instead of keys
and raw JSON, and the template globals that put them in every template."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale

from . import deploy_text, form_fields, inbox_text, names, numbers, schema_text, translations

_GLOBALS = (names.process_name, names.process_description, names.step_name, names.role_name,
            names.store_name, names.status_name, names.task_state_name, names.outcome_name,
            names.known_outcomes,
            form_fields.field_errors, inbox_text.notification_text, inbox_text.shows_message,
            inbox_text.notification_kind_name, deploy_text.deploy_error_text,
            schema_text.schema_text, format_date, format_datetime, format_decimal,
            format_timedelta, get_locale)


def init_app(app: Flask) -> None:
    """Register the shared words and formatters as template globals, `nav_counts()` and the tests."""
    for fn in _GLOBALS:
        app.add_template_global(fn)
    app.add_template_global(has_endpoint)
    app.add_template_filter(numbers.money, "money")
    app.add_template_filter(numbers.number, "number")
    app.add_template_test(_match_digits, "match_digits")
    app.context_processor(_navigation)
    app.context_processor(_cc_badge)
    app.context_processor(_bell)
    translations.init_app(app)


def has_endpoint(endpoint: str) -> bool:
    """Whether another area of the app (case pages, dashboard, admin) is installed, for links to it."""
    return endpoint in current_app.view_functions


def _match_digits(value: Any) -> bool:
    """True for an attachment id as forms keep it (a string of digits)."""
    return str(value).isdigit()


def nav_counts(grants: list[Any] | None = None) -> dict[str, int]:
    """My task counts (the navigation's badges, the 待办 page's tabs): read once per request, however
    many places show them; `grants` are my pool's when the page has read them already (`acting_grants`)."""
    if "opsflow_task_counts" not in g:
        from flask_login import current_user

        from engine.queries import task_counts

        from ..extensions import db, engine
        g.opsflow_task_counts = (task_counts(db.session, current_user, engine().clock(), grants)
                                 if current_user.is_authenticated else {"mine": 0, "claimable": 0, "todo": 0})
    return dict(g.opsflow_task_counts)


def _navigation() -> dict[str, Any]:
    """`nav_counts()` for the navigation badges, computed only when a page asks for it."""
    return {"nav_counts": nav_counts}


def _cc_badge() -> dict[str, Any]:
    """`cc_unread_count()`: the cases cc'd to me that I have not opened since (抄送我的)."""
    def cc_unread_count() -> int:
        from flask_login import current_user

        from engine.queries import cc_unread

        from ..extensions import db
        return cc_unread(db.session, current_user) if current_user.is_authenticated else 0
    return {"cc_unread_count": cc_unread_count}


def _bell() -> dict[str, Any]:
    """`inbox_unread_count()`: my unread notifications, the bell's count in the header."""
    def inbox_unread_count() -> int:
        from flask_login import current_user

        from engine.queries import unread_count

        from ..extensions import db
        return unread_count(db.session, current_user) if current_user.is_authenticated else 0
    return {"inbox_unread_count": inbox_unread_count}
