"""Running service tasks through their connectors, in the background runner and on an
administrator's retry.

A case that reaches a service task waits there (`bpmn.service_tasks`) with a `connector_call` row
(`connector_rows`). The runner takes due rows under a lease (so two runners do not both call), reads
the parameters from the case data, and calls the `http` connector with no transaction open, since
the other system may be slow. Then, in a transaction of its own, the task runs with the result and
the case moves on. A failure that may pass (a timeout, HTTP 503) is tried again after a backoff that
doubles; the last attempt failing, or a failure that will not pass (an address not allowed, HTTP
404), stops the case on an incident, which an administrator retries once the cause is fixed. The
`mail` connector writes to the outbox in that same transaction: the delivery worker sends it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.bpmn.service_tasks import CONNECTORS, HTTP, MAIL, attempts_of, backoff_base, is_service_task
from engine.errors import ProcessError, brief, where
from engine.models import (
    CALL_DONE,
    CALL_FAILED,
    CALL_PENDING,
    RUNNING,
    ConnectorCall,
    Incident,
    ProcessInstance,
)
from engine.sandbox.model_code import running_model
from engine.sandbox.script_engine import service_answers

from . import incidents
from .audit import reached_from
from .background import hold_running, run_step
from .case_rows import CaseRow
from .http_connector import ConnectorError, call_http
from .mail_connector import send_mail
from .steps import advance, record

if TYPE_CHECKING:
    from .engine import Engine

CONNECTOR = "connector"
BATCH = 20


@dataclass(frozen=True)
class Prepared:
    """A due call, read: its case, its element and the parameters evaluated on the case data."""

    call_id: int
    instance_id: int
    element_id: str
    element_name: str
    connector: str
    params: dict[str, Any]
    attempts: int
    max_attempts: int
    backoff: int


def run_connectors(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None,
                   stop: Callable[[], bool] = lambda: False) -> int:
    """One round of the runner: every due call, each outside a transaction; how many went through.
    `stop()` is asked between calls (a graceful stop finishes the call being made)."""
    now = now or engine.clock()
    with sessions() as session:
        due = session.scalars(select(ConnectorCall.id).join(ProcessInstance)
                              .where(ConnectorCall.status.in_((CALL_PENDING, CALL_FAILED)),
                                     ConnectorCall.next_attempt_at <= now, ProcessInstance.status == RUNNING)
                              .order_by(ConnectorCall.next_attempt_at, ConnectorCall.id).limit(BATCH)).all()
    return sum(attempt(engine, sessions, call_id, now) for call_id in due if not stop())


def attempt(engine: Engine, sessions: Callable[[], Session], call_id: int, now: datetime) -> bool:
    """Take the call (a lease), call its connector, and record what came of it."""
    prepared = _take(engine, sessions, call_id, now)
    if prepared is None:
        return False
    result: Any = None
    failure: ConnectorError | None = None
    if prepared.connector == HTTP:
        try:
            result = call_http(prepared.params, engine.connectors)
        except ConnectorError as exc:
            failure = exc
    elif prepared.connector not in CONNECTORS:  # a version deployed before deploy checked connectors
        failure = ConnectorError(f"connector {prepared.connector!r} is not provided", transient=False)
    with sessions() as session:
        if failure is not None:
            _failed(session, prepared, failure, now)
            return False
        return run_step(session, prepared.instance_id, CONNECTOR,
                        lambda: _finish(engine, session, prepared, result, now),
                        lambda wait: hold_running(session, prepared.instance_id), now, {"call": call_id})


def _take(engine: Engine, sessions: Callable[[], Session], call_id: int, now: datetime) -> Prepared | None:
    """Lease the call for its timeout and read its parameters; None when it is not (any more) due."""
    with sessions() as session:
        call = session.get(ConnectorCall, call_id)
        if call is None or call.status not in (CALL_PENDING, CALL_FAILED) or call.next_attempt_at > now:
            return None
        lease = now + timedelta(seconds=engine.connectors.max_timeout + 30)
        # a failed call of a running case: its incident was resolved by hand and the case resumed,
        # so the service task is tried afresh
        attempts = 0 if call.status == CALL_FAILED else call.attempts
        taken = session.execute(update(ConnectorCall).where(
            ConnectorCall.id == call_id, ConnectorCall.status == call.status,
            ConnectorCall.next_attempt_at == call.next_attempt_at).values(
                next_attempt_at=lease, status=CALL_PENDING, attempts=attempts))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return None
        case = engine.case_row(session, call.instance_id)
        _, workflow = engine.load(session, case)
        task = _ready(workflow, call.spiff_task_id)
        if case.status != RUNNING:  # suspended or stopped meanwhile: the call waits for it to run again
            session.rollback()
            return None
        if task is None:  # the case moved past the service task some other way (a boundary event)
            session.execute(update(ConnectorCall).where(ConnectorCall.id == call_id)
                            .values(status=CALL_DONE, updated_at=now))
            session.commit()
            return None
        try:
            params = evaluated(engine, task)
        except ProcessError as exc:
            session.rollback()
            _stop(session, call_id, call.instance_id, incidents.failure_of(exc), now)
            return None
        session.commit()
        spec = task.task_spec
        return Prepared(call_id, call.instance_id, spec.bpmn_id, spec.bpmn_name or "", spec.operation_name,
                        params, attempts, attempts_of(spec), backoff_base(spec))


def evaluated(engine: Engine, task: Any) -> dict[str, Any]:
    """The service task's parameters, evaluated on its data like any model expression."""
    with running_model(engine.clock, [task]):
        return {name: value["value"] for name, value in task.task_spec.evaluate_params(task).items()}


def _failed(session: Session, prepared: Prepared, failure: ConnectorError, now: datetime) -> None:
    attempts = prepared.attempts + 1
    if failure.transient and attempts < prepared.max_attempts:
        delay = timedelta(seconds=prepared.backoff * 2 ** (attempts - 1))
        session.execute(update(ConnectorCall).where(ConnectorCall.id == prepared.call_id).values(
            attempts=attempts, next_attempt_at=now + delay, last_error=brief(str(failure)), updated_at=now))
        session.commit()
        return
    session.execute(update(ConnectorCall).where(ConnectorCall.id == prepared.call_id).values(
        attempts=attempts, last_error=brief(str(failure)), updated_at=now))
    failure_text = incidents.Failure("ConnectorError", brief(str(failure)), prepared.element_id,
                                     prepared.element_name)
    _stop(session, prepared.call_id, prepared.instance_id, failure_text, now, attempts)


def _stop(session: Session, call_id: int, instance_id: int, failure: incidents.Failure, now: datetime,
          attempts: int = 1) -> None:
    """The call failed for good: the case stops on an incident (counting the runner's attempts) an
    administrator retries."""
    session.execute(update(ConnectorCall).where(ConnectorCall.id == call_id)
                    .values(status=CALL_FAILED, next_attempt_at=now, updated_at=now))
    incident = (incidents.open_incident(session, instance_id, CONNECTOR, failure, now, {"call": call_id})
                if hold_running(session, instance_id) else None)
    if incident is not None:
        incident.attempts = attempts
    session.commit()


def _finish(engine: Engine, session: Session, prepared: Prepared, result: Any, now: datetime) -> bool:
    """Run the service task with its result (writing the mail for `mail`) and move the case on."""
    call = session.get(ConnectorCall, prepared.call_id, populate_existing=True)
    if call is None or call.status != CALL_PENDING:
        return False
    case = engine.case_row(session, prepared.instance_id)
    if case.status != RUNNING:
        return False
    _, workflow = engine.load(session, case)
    task = _ready(workflow, call.spiff_task_id)
    if task is None:
        return False
    run_service_task(engine, session, case, workflow, task, call, result, now)
    advance(session, case, workflow, None, engine.run_for(case))
    return True


def run_service_task(engine: Engine, session: Session, case: CaseRow, workflow: BpmnWorkflow, task: Any,
                     call: ConnectorCall, result: Any, now: datetime, params: Mapping[str, Any] | None = None
                     ) -> None:
    """Store the connector's result in the task's variable and complete it (its post-script runs)."""
    spec = task.task_spec
    if spec.operation_name == MAIL:
        result = send_mail(session, case.id, params or evaluated(engine, task), now)
    with service_answers({str(task.id): result}), running_model(engine.clock, [task]):
        task.run()
    call.status, call.attempts, call.updated_at, call.last_error = CALL_DONE, call.attempts + 1, now, None
    record(session, case, "connector_called", None, now, element=spec.bpmn_id, message=spec.bpmn_name or "",
           data={"connector": spec.operation_name, "attempts": call.attempts})
    # the step every automatic element leaves (see `advance`): the case diagram marks it done
    record(session, case, "step", None, now, element=spec.bpmn_id, message=spec.bpmn_name or "",
           data={"from": reached_from(task)})


def retry_call(engine: Engine, session: Session, case: CaseRow, workflow: BpmnWorkflow, incident: Incident,
               now: datetime) -> None:
    """An administrator's retry: call the connector again now (they wait for it) and run the task;
    ProcessError when it fails again, which the retry counts as an attempt."""
    call = session.get(ConnectorCall, int((incident.job_data or {}).get("call", 0)))
    task = _ready(workflow, call.spiff_task_id) if call is not None else None
    if call is None or task is None:
        reason = "the service task is no longer waiting"
        raise ProcessError(f"{where(incident.element_id, incident.element_name)}: {reason}",
                           incident.element_id, error_type="ConnectorError", reason=reason)
    params = evaluated(engine, task)
    spec, result = task.task_spec, None
    try:
        if spec.operation_name not in CONNECTORS:
            raise ConnectorError(f"connector {spec.operation_name!r} is not provided", transient=False)
        if spec.operation_name == HTTP:
            result = call_http(params, engine.connectors)
    except ConnectorError as exc:
        reason = brief(str(exc))
        raise ProcessError(f"{where(spec.bpmn_id, spec.bpmn_name or '')}: ConnectorError: {reason}",
                           spec.bpmn_id, element_name=spec.bpmn_name or "", error_type="ConnectorError",
                           reason=reason) from None
    run_service_task(engine, session, case, workflow, task, call, result, now, params)


def _ready(workflow: BpmnWorkflow, spiff_task_id: str) -> Any | None:
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except Exception:
        return None
    return task if task.state == TaskState.READY and is_service_task(task.task_spec) else None
