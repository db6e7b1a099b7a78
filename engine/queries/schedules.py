"""The administrators' list of scheduled starts: each timer start event of a deployed process, when
it runs next, when it last ran and for how many cases, and whether it is paused."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import require_admin
from engine.bpmn.schedules import schedule_views
from engine.models import Schedule, User
from engine.views import ScheduleView


def list_schedules(session: Session, actor: User) -> list[ScheduleView]:
    """Every active schedule, by process and start event."""
    require_admin(actor)
    rows = list(session.scalars(select(Schedule).where(Schedule.active.is_(True))
                                .order_by(Schedule.process_key, Schedule.element_id)))
    return schedule_views(session, rows)
