"""An administrator's commands on an incident: run its failed step again, or settle it by hand.

They live beside the `Engine` (which offers them as methods) because they use its loading and
running the way any command does, but only administrators reach them and `retries` holds what a
retry does to the workflow.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.access import require_admin
from engine.errors import ProcessError
from engine.models import RUNNING, SUSPENDED, ProcessInstance, User
from engine.views import IncidentView, incident_view

from . import approvers, case_rows, incidents, retries
from .audit import pending_events
from .case_rows import CaseRow, case_row_view
from .connector_calls import CONNECTOR, retry_call
from .retries import RetryResult
from .steps import advance, record, store
from .sync import TaskChanges

if TYPE_CHECKING:
    from .engine import Engine


def retry_incident(engine: Engine, session: Session, instance_id: int, incident_id: int, user: User,
                   reason: str | None, *, latest_version: bool = False,
                   data: Mapping[str, Any] | None = None) -> RetryResult:
    """Run the incident's failed step again now, on the case's version or (`latest_version`) the
    process's newest, with `data` (top-level fields) corrected first; the attempt is kept
    whether it goes through or fails again (see `retries`)."""
    require_admin(user)
    reason = incidents.checked_reason(reason)
    fix = retries.checked_fix(data)
    incident = incidents.the_open_incident(session, instance_id, incident_id)
    case = _stopped_case(engine, session, instance_id)
    workflow, moved_to = _workflow_to_retry(engine, session, case, latest_version)
    now = engine.clock()
    savepoint = session.begin_nested()
    try:
        if incident.job == CONNECTOR:
            retry_call(engine, session, case, workflow, incident, now)
        else:
            retries.run_job(session, case, workflow, incident, now)
        changed = retries.correct(workflow, fix)
        retried: dict[str, Any] = {"incident": incident.id, "succeeded": True,
                                   "attempts": incident.attempts + 1}
        if moved_to:
            retried["version"] = [case.version, moved_to.version]
        if changed:
            retried["data"] = changed
        record(session, case, "incident_retried", user, engine.clock(), element=incident.element_id,
               message=reason, data=retried)
        case.status, case.last_error = RUNNING, None
        if moved_to is not None:  # written before the case (whose write expires its ORM copies)
            case.version_id, case.version = moved_to.id, moved_to.version
            session.connection().execute(update(ProcessInstance.__table__).where(
                ProcessInstance.__table__.c.id == case.id).values(version_id=moved_to.id))
        open_rows = advance(session, case, workflow, user, engine.run_for(case))
        savepoint.commit()
    except ProcessError as exc:
        savepoint.rollback()
        pending_events(session).clear()
        failed = incidents.failed_again(session, incident, incidents.failure_of(exc), user, reason, now)
        return RetryResult(False, failed, case_row_view(engine.case_row(session, instance_id),
                                                    case_rows.open_tasks(session, instance_id)), exc)
    except BaseException:
        savepoint.rollback()
        pending_events(session).clear()
        raise
    incidents.settle(incident, user, incidents.RETRIED, reason, now)
    session.flush()
    return RetryResult(True, incident_view(incident), case_row_view(case, open_rows))


def resolve_incident(engine: Engine, session: Session, instance_id: int, incident_id: int, user: User,
                     reason: str | None) -> IncidentView:
    """Settle the incident without running its step again (the cause was dealt with some other
    way); the case is handed back to its supervisors suspended, to resume or terminate."""
    require_admin(user)
    reason = incidents.checked_reason(reason)
    incident = incidents.the_open_incident(session, instance_id, incident_id)
    case = _stopped_case(engine, session, instance_id)
    now = engine.clock()
    incidents.settle(incident, user, incidents.RESOLVED, reason, now)
    session.flush()
    if not incidents.open_incidents(session, instance_id):
        case.status, case.last_error = SUSPENDED, None
    record(session, case, "incident_resolved", user, engine.clock(), element=incident.element_id,
           message=reason, data={"incident": incident.id, "status": case.status})
    store(session, case, TaskChanges(), now=now, with_state=False)
    return incident_view(incident)


def _stopped_case(engine: Engine, session: Session, instance_id: int) -> CaseRow:
    return retries.stopped(engine.case_row(session, instance_id))


def _workflow_to_retry(engine: Engine, session: Session, case: CaseRow, latest: bool
                       ) -> tuple[BpmnWorkflow, Any]:
    """The case's workflow, on its own version or restored onto the latest one (returned second)."""
    version = engine.latest_version(session, case.process_key) if latest else None
    if version is None or version.id == case.version_id:
        return engine.load(session, case)[1], None
    parsed = engine.process(session, version.id)
    workflow = retries.restored_on(case, parsed, version.version, engine.script_engine)
    approvers.attach(workflow, session, case.store_code, case.region)
    return workflow, version
