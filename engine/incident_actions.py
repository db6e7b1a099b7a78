"""What an administrator does with an incident: retry the failed step now, or resolve it by hand.

A mixin of `Engine`: a retry runs the failed step again with the engine's own loading, running and
writing. It may first move the case to the process's latest version (the model was fixed by a new
deployment) and correct top-level values of the case data (the data was wrong). If the step fails
again, nothing of the retry is kept but the attempt itself: the incident counts it and shows the
newest error. Administrators only (`admin_access`): they are the ones who deploy models. Each
retry and resolution is an audit event with the administrator and the reason they gave.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import case_rows, incidents, state
from .admin_access import require_admin
from .audit import pending_events
from .case_rows import CaseRow
from .model_code import TIMER_TICK, running_model
from .errors import Conflict, InvalidData, ProcessError, brief
from .incidents import MESSAGE, RESOLVED, RETRIED
from .models import ERROR, RUNNING, SUSPENDED, Incident, ProcessInstance, User
from .specs import ParsedProcess
from .sync import TaskChanges
from .viewing import case_view
from .views import IncidentView, InstanceView

if TYPE_CHECKING:
    from .runtime import Engine

MAX_FIX_FIELDS = 50
MAX_FIX_BYTES = 64 * 1024
_UNFINISHED = TaskState.WAITING | TaskState.READY | TaskState.STARTED


@dataclass(frozen=True)
class RetryResult:
    """How a retry went: `retried` when the step went through (the incident is then resolved),
    else `error` says why it failed again."""

    retried: bool
    incident: IncidentView
    instance: InstanceView
    error: ProcessError | None = None


class IncidentActions:
    """Mixed into `Engine`."""

    def retry_incident(self: Engine, session: Session, instance_id: int, incident_id: int, user: User,
                       reason: str | None, *, latest_version: bool = False,
                       data: Mapping[str, Any] | None = None) -> RetryResult:
        """Run the incident's failed step again now, on the case's version or (`latest_version`) the
        process's newest, with `data` (top-level fields) corrected first; the attempt is kept
        whether it goes through or fails again."""
        require_admin(user)
        reason = incidents.checked_reason(reason)
        fix = checked_fix(data)
        incident = incidents.the_open_incident(session, instance_id, incident_id)
        case = self._stopped_case(session, instance_id)
        parsed, workflow, moved_to = self._workflow_to_retry(session, case, latest_version)
        now = self.clock()
        savepoint = session.begin_nested()
        try:
            self._run_job(session, case, workflow, incident, now)
            changed = _correct(workflow, fix)
            self._event(session, case, "incident_retried", user, element=incident.element_id, message=reason,
                        data={"incident": incident.id, "succeeded": True, "attempts": incident.attempts + 1,
                              **({"version": [case.version, moved_to.version]} if moved_to else {}),
                              **({"data": changed} if changed else {})})
            case.status, case.last_error = RUNNING, None
            if moved_to is not None:  # written before the case (whose write expires its ORM copies)
                case.version_id, case.version = moved_to.id, moved_to.version
                session.connection().execute(update(ProcessInstance.__table__).where(
                    ProcessInstance.__table__.c.id == case.id).values(version_id=moved_to.id))
            open_rows = self._advance(session, case, parsed, workflow, user)
            savepoint.commit()
        except ProcessError as exc:
            savepoint.rollback()
            pending_events(session).clear()
            failed = incidents.failed_again(session, incident, incidents.failure_of(exc), user, reason, now)
            return RetryResult(False, failed, case_view(self._case(session, instance_id),
                                                        case_rows.open_tasks(session, instance_id)), exc)
        except BaseException:
            savepoint.rollback()
            pending_events(session).clear()
            raise
        incidents.settle(incident, user, RETRIED, reason, now)
        session.flush()
        return RetryResult(True, incidents.view(incident), case_view(case, open_rows))

    def resolve_incident(self: Engine, session: Session, instance_id: int, incident_id: int, user: User,
                         reason: str | None) -> IncidentView:
        """Settle the incident without running its step again (the cause was dealt with some other
        way); the case is handed back to its supervisors suspended, to resume or terminate."""
        require_admin(user)
        reason = incidents.checked_reason(reason)
        incident = incidents.the_open_incident(session, instance_id, incident_id)
        case = self._stopped_case(session, instance_id)
        now = self.clock()
        incidents.settle(incident, user, RESOLVED, reason, now)
        session.flush()
        if not incidents.open_incidents(session, instance_id):
            case.status, case.last_error = SUSPENDED, None
        self._event(session, case, "incident_resolved", user, element=incident.element_id, message=reason,
                    data={"incident": incident.id, "status": case.status})
        self._store(session, case, TaskChanges(), with_state=False, now=now)
        return incidents.view(incident)

    # -- steps ---------------------------------------------------------------------------------------

    def _stopped_case(self: Engine, session: Session, instance_id: int) -> CaseRow:
        case = self._case(session, instance_id)
        if case.status != ERROR:
            raise Conflict(f"case {instance_id} is {case.status}, not stopped on an incident")
        return case

    def _workflow_to_retry(self: Engine, session: Session, case: CaseRow, latest: bool,
                           ) -> tuple[ParsedProcess, BpmnWorkflow, Any]:
        """The case's workflow, on its own version or restored onto the latest one (returned third)."""
        if not latest:
            return (*self.load(session, case), None)
        version = self.latest_version(session, case.process_key)
        if version.id == case.version_id:
            return (*self.load(session, case), None)
        parsed = self.process(session, version.id)
        try:
            workflow = state.loads(case.state, parsed)
        except Exception as exc:  # the new version lacks an element the case has been through
            raise Conflict(f"case {case.id} cannot move to version {version.version}: "
                           f"{type(exc).__name__}: {brief(str(exc))}") from None
        workflow.script_engine = self.script_engine
        return parsed, workflow, version

    def _run_job(self: Engine, session: Session, case: CaseRow, workflow: BpmnWorkflow, incident: Incident,
                 now: Any) -> None:
        """Do again what failed: deliver the message, or look at the timers as at the failure at the
        latest (SpiffWorkflow fires the due ones, the failed one among them); `_advance` then runs
        the steps that follow."""
        at = max(now, incident.failed_at)
        with running_model(lambda: at + TIMER_TICK):
            if incident.job == MESSAGE:
                job = incident.job_data or {}
                self._event(session, case, "message_received", None, message=job.get("name", ""),
                            data={"payload": job.get("payload")})
                workflow.send_event(BpmnEvent(MessageEventDefinition(job.get("name")), payload=job.get("payload")))
            else:
                workflow.refresh_timers()


def _correct(workflow: BpmnWorkflow, fix: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Put the corrected values into the data of the steps about to run (a waiting task takes its
    data afresh from the step before when it becomes ready, so this comes after the job has run);
    what changed, as {field: [before, after]}."""
    if not fix:
        return {}
    tasks = workflow.get_tasks(state=_UNFINISHED)
    before = dict(tasks[-1].data) if tasks else {}
    for task in tasks:
        task.data.update(fix)
    return {k: [before.get(k), v] for k, v in fix.items()}


def checked_fix(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Corrected values for a retry: top-level fields of plain JSON, small, with names a script can
    read; InvalidData naming what is wrong otherwise."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidData("the corrected data must be an object", {"data": "must be an object"})
    if len(data) > MAX_FIX_FIELDS:
        raise InvalidData("too many corrected fields", {"data": f"at most {MAX_FIX_FIELDS} fields"})
    for key in data:
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise InvalidData(f"{brief(str(key), 60)!r} is not a field name",
                              {"data": "field names are identifiers not starting with _"})
    try:
        text = json.dumps(dict(data), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise InvalidData("the corrected data must be plain JSON without NaN or Infinity",
                          {"data": "plain JSON values only"}) from None
    if len(text) > MAX_FIX_BYTES:
        raise InvalidData("the corrected data is too large", {"data": f"at most {MAX_FIX_BYTES} bytes"})
    return json.loads(text)
