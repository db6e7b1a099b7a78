"""What a retry of an incident does to a case's workflow: repeat the failed job, correct the data.

`incident_commands.retry_incident` runs the failed step again with the engine's own loading, running and
writing. It may first move the case to the process's latest version (the model was fixed by a new
deployment) and correct top-level values of the case data (the data was wrong). If the step fails
again, nothing of the retry is kept but the attempt itself: the incident counts it and shows the
newest error. Administrators only (`access.admin`): they are the ones who deploy models. Each
retry and resolution is an audit event with the administrator and the reason they gave.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.bpmn import state
from engine.bpmn.specs import ParsedProcess
from engine.errors import Conflict, InvalidData, ProcessError, brief
from engine.models import ERROR, Incident
from engine.sandbox.model_code import TIMER_TICK, running_model
from engine.views import CaseView, IncidentView

from .case_rows import CaseRow
from .incidents import MESSAGE
from .steps import record

MAX_FIX_FIELDS = 50
MAX_FIX_BYTES = 64 * 1024
_UNFINISHED = TaskState.WAITING | TaskState.READY | TaskState.STARTED


@dataclass(frozen=True)
class RetryResult:
    """How a retry went: `retried` when the step went through (the incident is then resolved),
    else `error` says why it failed again."""

    retried: bool
    incident: IncidentView
    instance: CaseView
    error: ProcessError | None = None


def run_job(session: Session, case: CaseRow, workflow: BpmnWorkflow, incident: Incident,
            now: datetime) -> None:
    """Do again what failed: deliver the message, or look at the timers as at the failure at the
    latest (SpiffWorkflow fires the due ones, the failed one among them); `advance` then runs the
    steps that follow."""
    at = max(now, incident.failed_at)
    with running_model(lambda: at + TIMER_TICK):
        if incident.job == MESSAGE:
            job = incident.job_data or {}
            record(session, case, "message_received", None, now, message=job.get("name", ""),
                   data={"payload": job.get("payload")})
            message = MessageEventDefinition(job.get("name"))
            workflow.send_event(BpmnEvent(message, payload=job.get("payload")))
        else:
            workflow.refresh_timers()


def correct(workflow: BpmnWorkflow, fix: Mapping[str, Any]) -> dict[str, list[Any]]:
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


def stopped(case: CaseRow) -> CaseRow:
    """The case, if it is stopped on an incident (Conflict otherwise): only those are retried or resolved."""
    if case.status != ERROR:
        raise Conflict(f"case {case.id} is {case.status}, not stopped on an incident")
    return case


def restored_on(case: CaseRow, parsed: ParsedProcess, version: int, script_engine: Any) -> BpmnWorkflow:
    """The case's workflow restored onto another version of its process, for a retry that moves it."""
    try:
        workflow = state.loads(case.state, parsed)
    except Exception as exc:  # the new version lacks an element the case has been through
        raise Conflict(f"case {case.id} cannot move to version {version}: "
                       f"{type(exc).__name__}: {brief(str(exc))}") from None
    workflow.script_engine = script_engine
    return workflow
