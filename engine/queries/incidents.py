"""A case's incidents as its supervisors see them, and the incident counts of the case list."""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from engine.access.visibility import may_supervise
from engine.models import INCIDENT_OPEN, Incident, ProcessInstance, User
from engine.policy import SupervisionRules
from engine.views import IncidentView, incident_view


def incidents_of(session: Session, instance_id: int) -> list[IncidentView]:
    """Every incident of the case, open ones first, newest first."""
    rows = session.scalars(select(Incident).options(joinedload(Incident.resolved_by))
                           .where(Incident.instance_id == instance_id)
                           .order_by((Incident.status == INCIDENT_OPEN).desc(), Incident.id.desc()))
    return [incident_view(i) for i in rows]


def open_counts(session: Session, instance_ids: Sequence[int]) -> dict[int, int]:
    """Open incidents per case, for the cases that have any."""
    if not instance_ids:
        return {}
    rows = session.execute(select(Incident.instance_id, func.count())
                           .where(Incident.instance_id.in_(instance_ids), Incident.status == INCIDENT_OPEN)
                           .group_by(Incident.instance_id))
    return {instance_id: count for instance_id, count in rows}


def has_open_incident() -> ColumnElement[bool]:
    """Cases with an open incident, as a condition on `process_instance` (the case list's filter)."""
    return ProcessInstance.id.in_(select(Incident.instance_id).where(Incident.status == INCIDENT_OPEN))


def shown_to(session: Session, user: User, instance: ProcessInstance, *,
             rules: SupervisionRules) -> list[IncidentView]:
    """The case's incidents as `user` may see them: all of them for its supervisors (administrators
    among them), none for the others who see the case, whose page only says it is stopped."""
    return incidents_of(session, instance.id) if may_supervise(session, user, instance, rules=rules) else []
