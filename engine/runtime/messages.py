"""Messages from other systems (`POST /api/v1/messages`): a BPMN message delivered to every running
case that waits for it and correlates with what the sender says.

Correlation is OpsFlow's own, not SpiffWorkflow's correlation keys: equality of each given field
with the case's business key (`business_key`), its store (`store_code`) or a value of the waiting
step's data. At least one field is required, so a message never reaches every waiting case by
accident (SpiffArena's vacuous correlation matches once did that). Each case takes the message in a
savepoint of the caller's transaction: when its model fails on it, the case stops on an incident
(job `message`, retried by an administrator like a background message) and the others go on.

A catch event may name a form (`formJsonSchemaFilename`): the payload is then the other system's
submission, checked like a step's (422 naming `payload.<field>`, nothing delivered) and written into
the case data field by field, also into the step a non-interrupting boundary event is attached to,
so that step's page shows what arrived and its completion carries it on. A catch event's `cc`
property tells its people that the message came (a logistics arrival tells the receiving store).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import may_send_messages
from engine.bpmn import ParsedProcess
from engine.errors import InvalidData, NotFound, PermissionDenied, ProcessError
from engine.forms import clean
from engine.models import RUNNING, ProcessInstance, User
from engine.sandbox.model_code import running_model

from . import incidents
from .audit import pending_events
from .case_rows import CaseRow
from .cc_rows import cc_on_completion
from .incidents import MESSAGE
from .steps import advance, record

if TYPE_CHECKING:
    from .engine import Engine

MAX_NAME = 128
MAX_FIELDS = 10
MAX_PAYLOAD_BYTES = 64 * 1024
#: Cases whose data is read to correlate one message; a broader correlation must name the business key.
MAX_CANDIDATES = 200
#: Correlation fields read from the case row, not the step's data.
CASE_FIELDS = ("business_key", "store_code")


@dataclass(frozen=True)
class Delivered:
    """One case the message reached: `incident` when its model failed on it and it stopped."""

    instance_id: int
    business_key: str | None
    status: str
    incident: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.instance_id, "business_key": self.business_key, "status": self.status,
                "incident": self.incident}


def receive_message(engine: Engine, session: Session, user: User, name: Any, correlation: Any,
            payload: Any = None) -> list[Delivered]:
    """Deliver the message to every running case waiting for it that correlates; NotFound if none."""
    if not may_send_messages(user):
        raise PermissionDenied(f"{getattr(user, 'username', 'this user')} may not deliver messages")
    name, correlation = _checked(name, correlation, payload)
    delivered = []
    for case_id in _candidates(engine, session, name, correlation):
        case = engine.case_row(session, case_id)
        _, workflow = engine.load(session, case)
        catches = _catching(case, workflow, name, correlation)
        if not catches:
            continue
        fields = _payload_fields(engine.process(session, case.version_id), catches, payload, engine.clock())
        delivered.append(_deliver_one(engine, session, case, workflow, user, name, correlation, payload,
                                      catches, fields))
    if not delivered:
        raise NotFound(f"no running case waits for message {name!r} with this correlation")
    return delivered


def _checked(name: Any, correlation: Any, payload: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(name, str) or not name.strip():
        raise InvalidData("the message needs a name", {"name": "required"})
    if len(name) > MAX_NAME:
        raise InvalidData("the message name is too long", {"name": f"at most {MAX_NAME} characters"})
    if not isinstance(correlation, Mapping) or not correlation:
        raise InvalidData("the message needs a correlation",
                          {"correlation": "an object with at least one field"})
    if len(correlation) > MAX_FIELDS:
        raise InvalidData("too many correlation fields", {"correlation": f"at most {MAX_FIELDS} fields"})
    for key, value in correlation.items():
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise InvalidData("a correlation field is not a field name",
                              {"correlation": "field names are identifiers not starting with _"})
        if value is None or isinstance(value, (dict, list, float)):
            raise InvalidData("a correlation value must be a string, an integer or a boolean",
                              {f"correlation.{key}": "a string, an integer or a boolean"})
    try:
        size = len(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidData("the payload must be plain JSON", {"payload": "plain JSON values only"}) from None
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidData("the payload is too large", {"payload": f"at most {MAX_PAYLOAD_BYTES} bytes"})
    return name.strip(), dict(correlation)


def _candidates(engine: Engine, session: Session, name: str, correlation: dict[str, Any]) -> list[int]:
    """Running cases of the versions whose model catches the message, narrowed by the case fields."""
    versions = session.scalars(select(ProcessInstance.version_id).where(ProcessInstance.status == RUNNING)
                               .distinct()).all()
    catching = [v for v in versions if name in engine.process(session, v).message_names()]
    if not catching:
        return []
    query = select(ProcessInstance.id).where(ProcessInstance.status == RUNNING,
                                             ProcessInstance.version_id.in_(catching))
    for key in CASE_FIELDS:
        if key in correlation:
            query = query.where(getattr(ProcessInstance, key) == str(correlation[key]))
    found = list(session.scalars(query.order_by(ProcessInstance.id).limit(MAX_CANDIDATES + 1)))
    if len(found) > MAX_CANDIDATES:
        raise InvalidData("the correlation matches too many cases",
                          {"correlation": "too broad: add the business_key or store_code"})
    return found


def _catching(case: CaseRow, workflow: BpmnWorkflow, name: str, correlation: dict[str, Any]) -> list[Any]:
    """The steps of the case that wait for the message, with data equal to every correlation field."""
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, MessageEventDefinition) or definition.name != name:
            continue
        if all(_value(case, task.data, key) == value for key, value in correlation.items()):
            found.append(task)
    return found


def _payload_fields(parsed: ParsedProcess, catches: list[Any], payload: Any, now: datetime) -> dict[str, Any]:
    """What the payload writes into the case data: nothing unless a catching event names a form."""
    fields: dict[str, Any] = {}
    for task in catches:
        form = parsed.form_for(task.task_spec.bpmn_id)
        if form is None:
            continue
        try:
            fields.update(clean(form, payload if payload is not None else {}, now=now))
        except InvalidData as exc:
            raise InvalidData("the message's payload does not fit its form",
                              {f"payload.{k}": v for k, v in (exc.fields or {}).items()},
                              {f"payload.{k}": v for k, v in exc.limits.items()}) from None
    return fields


def _attached_step(task: Any) -> Any | None:
    """The open step a non-interrupting boundary event waits beside (None for any other catch)."""
    spec = task.task_spec
    if not isinstance(spec, BoundaryEvent) or spec.cancel_activity or task.parent is None:
        return None
    return next((t for t in task.parent.children if t is not task and t.has_state(TaskState.READY)
                 and not isinstance(t.task_spec, BoundaryEvent)), None)


def _value(case: CaseRow, data: Mapping[str, Any], key: str) -> Any:
    if key in CASE_FIELDS:
        return getattr(case, key)
    value = data.get(key)
    return value if isinstance(value, (str, int, bool)) else None


def _deliver_one(engine: Engine, session: Session, case: CaseRow, workflow: BpmnWorkflow, user: User,
                 name: str, correlation: dict[str, Any], payload: Any, catches: list[Any],
                 fields: dict[str, Any]) -> Delivered:
    savepoint = session.begin_nested()
    try:
        record(session, case, "message_received", user, engine.clock(), message=name,
               data={"payload": payload, "correlation": correlation})
        if fields:
            for task in catches:
                task.data.update(fields)
                attached = _attached_step(task)
                if attached is not None:
                    attached.data.update(fields)
        with running_model(engine.clock):
            workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
        for task in catches:
            cc_on_completion(session, case, task.task_spec, user, engine.clock())
        advance(session, case, workflow, user, engine.run_for(case))
        savepoint.commit()
        return Delivered(case.id, case.business_key, case.status)
    except ProcessError as exc:
        savepoint.rollback()
        pending_events(session).clear()
        incident = incidents.open_incident(session, case.id, MESSAGE, incidents.failure_of(exc),
                                           engine.clock(), {"name": name, "payload": payload})
        return Delivered(case.id, case.business_key, "error", incident.id if incident else None)
    except BaseException:
        savepoint.rollback()
        pending_events(session).clear()
        raise
