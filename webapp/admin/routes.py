"""The admin landing page: what there is to administer, with counts, and the latest changes."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from engine.access import recent_changes
from engine.models import FAILED, OutboxMessage, ProcessDefinition, Robot, Schedule, Store, User
from engine.views import EventView

from ..extensions import db
from ..ui.names import process_name
from .blueprint import bp
from .people_forms import LABELS
from .robot_routes import ROBOT_LABELS


@bp.get("/")
def index() -> Any:
    sizes = {
        "processes": db.session.scalar(select(func.count()).select_from(ProcessDefinition)),
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "stores": db.session.scalar(select(func.count()).select_from(Store)),
        "failed_deliveries": db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                               .where(OutboxMessage.status == FAILED)),
        "robots": db.session.scalar(select(func.count()).select_from(Robot).where(Robot.active.is_(True))),
        "schedules": db.session.scalar(select(func.count()).select_from(Schedule)
                                       .where(Schedule.active.is_(True))),
    }
    latest = [(e, describe(e)) for e in recent_changes(db.session, current_user)]
    return render_template("admin/index.html", sizes=sizes, latest=latest)


def describe(event: EventView) -> str:
    """One administrator's change in a sentence of the reader's language."""
    data = event.data or {}
    fields = ", ".join(str(LABELS.get(k, k)) for k in (data.get("changes") or {}))
    who, what = event.actor or _("the server console"), event.message
    if event.event_type == "user_created":
        return _("%(who)s created the account %(what)s", who=who, what=what)
    if event.event_type == "user_changed":
        return _("%(who)s changed the account %(what)s: %(fields)s", who=who, what=what, fields=fields)
    if event.event_type == "password_reset":
        return _("%(who)s reset the password of %(what)s", who=who, what=what)
    if event.event_type == "store_created":
        return _("%(who)s added the store %(what)s", who=who, what=what)
    if event.event_type == "store_changed":
        return _("%(who)s changed the store %(what)s: %(fields)s", who=who, what=what, fields=fields)
    if event.event_type == "robot_created":
        return _("%(who)s added the robot %(what)s", who=who, what=what)
    if event.event_type == "robot_changed":
        return _("%(who)s changed the robot %(what)s: %(fields)s", who=who, what=what,
                 fields=", ".join(str(ROBOT_LABELS.get(k, k)) for k in (data.get("changes") or {})))
    if event.event_type == "robot_deleted":
        return _("%(who)s deleted the robot %(what)s", who=who, what=what)
    if event.event_type == "schedule_paused":
        return _("%(who)s paused the schedule %(what)s", who=who, what=what)
    if event.event_type == "schedule_resumed":
        return _("%(who)s resumed the schedule %(what)s", who=who, what=what)
    if event.event_type == "process_retired":
        return _("%(who)s retired the process %(what)s", who=who, what=process_name(what))
    if event.event_type == "process_enabled":
        return _("%(who)s put the process %(what)s back in service", who=who, what=process_name(what))
    if event.event_type == "model_draft_saved":
        return _("%(who)s saved %(files)s into the draft of %(what)s", who=who, what=process_name(what),
                 files=", ".join(data.get("files") or ()))
    if event.event_type == "model_draft_published":
        return _("%(who)s published the draft of %(what)s as version %(version)s", who=who,
                 what=process_name(what), version=data.get("version", "?"))
    if event.event_type == "model_draft_discarded":
        return _("%(who)s discarded the draft of %(what)s", who=who, what=process_name(what))
    return _("%(who)s deployed %(what)s version %(version)s", who=who, what=process_name(what),
             version=data.get("version", "?"))
