"""Incidents: a step the server ran for a case on its own (a timer, a message) failed.

Nobody is waiting for such a step to answer, so its failure is written on the case instead: what
failed (the BPMN element), why (the error's type and a short message, never a traceback or an
object's repr), when, and how many attempts it took. The case stops (status `error`), the
scheduler leaves it alone instead of failing on it at every tick, and other cases go on. Its
supervisors see the incident on the case page; an administrator retries it once the model or the
data is fixed, or resolves it by hand (`incident_actions`); terminating the case settles it too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidData, NotFound, ProcessError, brief, where
from engine.models import (
    ERROR,
    INCIDENT_OPEN,
    INCIDENT_RESOLVED,
    RUNNING,
    AuditEvent,
    Incident,
    ProcessInstance,
    User,
)
from engine.views import IncidentView, incident_view

TIMER, MESSAGE = "timer", "message"
#: How an incident was settled: its step ran again and went through, an administrator resolved it
#: by hand (the case is then suspended for its supervisors), or the case was terminated.
RETRIED, RESOLVED, TERMINATED = "retried", "resolved", "terminated"
MAX_REASON = 2000


class IncidentOpen(Conflict):
    """The case is stopped on an open incident: only an administrator's retry or resolution moves it."""

    code = "incident_open"


@dataclass(frozen=True)
class Failure:
    """What went wrong, as an incident keeps it."""

    error_type: str
    message: str
    element_id: str | None = None
    element_name: str = ""

    @property
    def text(self) -> str:
        return f"{where(self.element_id, self.element_name)}: {self.error_type}: {self.message}"


def failure_of(exc: BaseException) -> Failure:
    """A model failure says where and why; anything else only its type (the server log has the rest)."""
    if isinstance(exc, ProcessError):
        return Failure(brief(exc.error_type, 64), brief(exc.reason), exc.element and exc.element[:128],
                       brief(exc.element_name, 255))
    return Failure(brief(type(exc).__name__, 64), "unexpected error (details in the server log)")


# -- a background step failed ---------------------------------------------------------------------

def open_incident(session: Session, instance_id: int, job: str, failure: Failure, now: datetime,
                  job_data: dict[str, Any] | None = None) -> Incident | None:
    """Stop the running case on this failure and open its incident; None if the case is no longer
    running (someone else settled it meanwhile). The caller holds the case's row and commits."""
    instance = session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None or instance.status != RUNNING:
        return None
    incident = Incident(instance_id=instance_id, status=INCIDENT_OPEN, job=job, job_data=job_data,
                        element_id=failure.element_id, element_name=failure.element_name,
                        error_type=failure.error_type, message=failure.message, occurred_at=now,
                        failed_at=now, attempts=1)
    session.add(incident)
    instance.status, instance.last_error, instance.next_timer_at, instance.updated_at = (
        ERROR, failure.text, None, now)
    session.flush()
    session.add(AuditEvent(instance_id=instance_id, event_type="incident_opened",
                           element_id=failure.element_id, at=now, message=failure.message,
                           data={"incident": incident.id, "job": job, "error_type": failure.error_type}))
    return incident


def failed_again(session: Session, incident: Incident, failure: Failure, actor: User, reason: str,
                 now: datetime) -> IncidentView:
    """A retry failed too: count the attempt and keep the newest error; the case stays stopped."""
    incident.attempts += 1
    incident.failed_at = now
    incident.element_id, incident.element_name = failure.element_id, failure.element_name
    incident.error_type, incident.message = failure.error_type, failure.message
    session.add(AuditEvent(instance_id=incident.instance_id, event_type="incident_retried",
                           element_id=failure.element_id, actor_id=actor.id, at=now, message=reason,
                           data={"incident": incident.id, "succeeded": False, "attempts": incident.attempts,
                                 "error_type": failure.error_type, "error": failure.message}))
    session.flush()
    return incident_view(incident)


# -- settling -----------------------------------------------------------------------------------------

def settle(incident: Incident, actor: User | None, resolution: str, reason: str, now: datetime) -> None:
    incident.status, incident.resolution, incident.reason = INCIDENT_RESOLVED, resolution, reason
    incident.resolved_at, incident.resolved_by_id = now, actor.id if actor else None


def settle_open(session: Session, instance_id: int, actor: User | None, resolution: str, reason: str,
                now: datetime) -> int:
    """Settle every open incident of the case (it was terminated); how many there were."""
    found = open_incidents(session, instance_id)
    for incident in found:
        settle(incident, actor, resolution, reason, now)
    session.flush()
    return len(found)


def checked_reason(reason: str | None) -> str:
    """The reason every case action and incident settlement must give, trimmed and bounded."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidData("a reason is required", {"reason": "required"})
    if len(reason) > MAX_REASON:
        raise InvalidData("the reason is too long", {"reason": f"at most {MAX_REASON} characters"})
    return reason


# -- the incident to act on -----------------------------------------------------------------------------

def open_incidents(session: Session, instance_id: int) -> list[Incident]:
    return list(session.scalars(select(Incident)
                                .where(Incident.instance_id == instance_id, Incident.status == INCIDENT_OPEN)
                                .order_by(Incident.id)))


def the_open_incident(session: Session, instance_id: int, incident_id: int) -> Incident:
    """The incident to act on: NotFound unless it is this case's, Conflict once it is settled."""
    incident = session.get(Incident, incident_id, populate_existing=True)
    if incident is None or incident.instance_id != instance_id:
        raise NotFound(f"incident {incident_id} of case {instance_id} does not exist")
    if incident.status != INCIDENT_OPEN:
        raise Conflict(f"incident {incident_id} is already {incident.status}")
    return incident


