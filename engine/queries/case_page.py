"""What the supervisor's case page needs from the engine: where the case went on its diagram, its
events and data, who holds its open steps and who could take them over.

The diagram marks come from the audit trail and the version's BPMN XML, not from the workflow:
an element is done once a 'step' or 'task_completed' event names it, current while an open task
(or a waiting catch event) sits on it, overdue when that task is past due. A sequence flow is on
the path taken when an element's 'step' or 'task_created' event says it was reached `from` the
flow's source (flows into a join count once their source is done, since only one branch is
recorded as the join's predecessor); for events without `from` (seeded history) a flow counts when
both its ends were reached. Only the case data of a live case is read from its workflow
(`task_page.case_data`); seeded history has none and is shown from its events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import attachments
from engine.access.admin import is_admin
from engine.access.grants import eligible_users
from engine.access.visibility import may_comment, may_supervise, visible_case
from engine.bpmn.loading import CaseLoader
from engine.errors import NotFound
from engine.models import SEED_MARK, AuditEvent, Comment, HumanTask, ModelFile, ProcessInstance, User
from engine.policy import SupervisionRules
from engine.views import CaseView, EventView, IncidentView, case_view

from .case_list import CaseListRow, case_list_rows
from .incidents import shown_to
from .task_page import case_data, case_events

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DONE_EVENTS = ("step", "task_completed")
PATH_EVENTS = ("step", "task_created")  # the events that say where the workflow came `from`
WAITING_TAGS = ("intermediateCatchEvent", "receiveTask", "serviceTask",  # a service task: its connector
                "callActivity")  # a call: its process's steps
JOIN_TAGS = ("parallelGateway", "inclusiveGateway")


@dataclass(frozen=True)
class DiagramMarkers:
    completed: list[str]
    current: list[str]
    overdue: list[str]
    flows: list[str]
    visits: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"completed": self.completed, "current": self.current, "overdue": self.overdue,
                "flows": self.flows, "visits": self.visits}


@dataclass(frozen=True)
class OpenTask:
    id: int
    element_id: str
    name: str
    role: str | None
    store_code: str | None
    assignee: str | None
    assignee_name: str | None
    created_at: datetime
    claimed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    candidates: list[tuple[str, str]]
    on_behalf_of: str | None = None  # 代理: the display name of the away person the holder stands in for


def bpmn_source(session: Session, instance: ProcessInstance) -> str:
    """The BPMN XML of the case's version: the file named after the process, else the first one."""
    files = _bpmn_files(session, instance)
    named = [content for name, content in files if name == f"{instance.process_key}.bpmn"]
    return named[0] if named else files[0][1]


def _bpmn_files(session: Session, instance: ProcessInstance) -> list[tuple[str, str]]:
    files = session.execute(select(ModelFile.filename, ModelFile.content)
                            .where(ModelFile.version_id == instance.version_id, ModelFile.kind == "bpmn")
                            .order_by(ModelFile.filename)).all()
    if not files:
        raise NotFound(f"the model of case {instance.id} is not stored")
    return [(name, content) for name, content in files]


def _step_names(session: Session, instance: ProcessInstance, xml: str) -> dict[str, str]:
    """The names of the case's steps: the process's own, and those of the processes it calls (a
    shared sub-process's steps are the case's), the process's own winning."""
    names: dict[str, str] = {}
    for name, content in _bpmn_files(session, instance):
        if content != xml:
            names.update(_model(content).names)
    return {**names, **_model(xml).names}


@dataclass(frozen=True)
class _Model:
    names: dict[str, str]
    tags: dict[str, str]
    flows: list[tuple[str, str, str]]  # id, source, target


def _model(xml: str) -> _Model:
    root = etree.fromstring(xml.encode("utf-8"))
    names, tags, flows = {}, {}, []
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(BPMN) or not el.get("id"):
            continue
        tag = el.tag[len(BPMN):]
        if tag == "sequenceFlow":
            flows.append((el.get("id"), el.get("sourceRef"), el.get("targetRef")))
        else:
            tags[el.get("id")] = tag
            if el.get("name"):
                names[el.get("id")] = el.get("name")
    return _Model(names, tags, flows)


def diagram_markers(session: Session, instance: ProcessInstance, now: datetime, xml: str | None = None,
                    ) -> DiagramMarkers:
    model = _model(xml or bpmn_source(session, instance))
    visits: dict[str, int] = {}
    taken: set[tuple[str | None, str]] | None = set()  # None: some event does not say where it came from
    for element, kind, data in session.execute(select(
            AuditEvent.element_id, AuditEvent.event_type, AuditEvent.data).where(
            AuditEvent.instance_id == instance.id, AuditEvent.event_type.in_((*DONE_EVENTS, "task_created")),
            AuditEvent.element_id.is_not(None))):
        if kind in DONE_EVENTS:
            visits[element] = visits.get(element, 0) + 1
        if kind in PATH_EVENTS and taken is not None:
            if isinstance(data, dict) and "from" in data:
                taken.add((data["from"], element))
            else:
                taken = None
    open_tasks = session.execute(select(HumanTask.element_id, HumanTask.due_at).where(
        HumanTask.instance_id == instance.id, HumanTask.state == "open")).all()
    current = {element for element, _ in open_tasks}
    overdue = {element for element, due in open_tasks if due is not None and due < now}
    done = set(visits)
    if instance.status in ("running", "suspended", "error"):
        for _, source, target in model.flows:  # a catch event the case waits at
            if source in done and target not in done and model.tags.get(target) in WAITING_TAGS:
                current.add(target)
    reached = done | current
    flows = [flow for flow, source, target in model.flows
             if source in done and (model.tags.get(target) in JOIN_TAGS
                                    or (target in current and model.tags.get(target) in WAITING_TAGS)
                                    or ((source, target) in taken if taken is not None
                                        else target in reached))]
    return DiagramMarkers(sorted(done - current), sorted(current), sorted(overdue), flows, visits)


def data_from_events(session: Session, instance_id: int) -> dict[str, Any]:
    """The case data as its events recorded it: start data, then each completed form in turn."""
    data: dict[str, Any] = {}
    for payload in session.scalars(select(AuditEvent.data).where(
            AuditEvent.instance_id == instance_id, AuditEvent.event_type.in_(("started", "task_completed")))
            .order_by(AuditEvent.id)):
        if isinstance(payload, dict):
            data.update(payload)
    return data


def open_tasks(session: Session, instance: ProcessInstance, now: datetime, with_candidates: bool,
               ) -> list[OpenTask]:
    """The steps the case waits on, who holds them, and (for supervisors) who could take them over."""
    rows = session.execute(select(HumanTask, User.username, User.display_name)
                           .outerjoin(User, User.id == HumanTask.assignee_id)
                           .where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
                           .order_by(HumanTask.id)).all()
    return [OpenTask(
        id=t.id, element_id=t.element_id, name=t.name, role=t.lane_role, store_code=t.store_code,
        assignee=username, assignee_name=display, created_at=t.created_at, claimed_at=t.claimed_at,
        due_at=t.due_at, overdue=t.due_at is not None and t.due_at < now,
        candidates=_candidates(session, t) if with_candidates else [],
        on_behalf_of=(t.on_behalf_of.display_name or t.on_behalf_of.username) if t.on_behalf_of else None)
        for t, username, display in rows]


def _candidates(session: Session, task: HumanTask) -> list[tuple[str, str]]:
    return [(u.username, u.display_name or u.username) for u in eligible_users(session, task)
            if u.id != task.assignee_id]


@dataclass(frozen=True)
class CasePage:
    case: CaseListRow
    data: dict[str, Any]
    events: list[EventView]
    tasks: list[OpenTask]
    markers: DiagramMarkers
    element_names: dict[str, str]
    attachments: list[attachments.AttachmentView]
    may_supervise: bool
    last_error: str | None
    incidents: list[IncidentView] = field(default_factory=list)
    may_settle_incidents: bool = False  # retry or resolve them: administrators
    may_comment: bool = False  # a reader by role only reads


def case_page_view(engine: CaseLoader, session: Session, user: User, instance_id: int,
                   now: datetime) -> CasePage:
    """Everything the case page shows, for someone who may see the case (NotFound otherwise)."""
    instance = visible_case(session, user, instance_id, rules=engine.supervision)
    xml = bpmn_source(session, instance)
    seeded = instance.serializer_version == SEED_MARK
    data = data_from_events(session, instance.id) if seeded else case_data(engine, session, instance)
    supervisor = may_supervise(session, user, instance, rules=engine.supervision)
    [row] = case_list_rows(session, [instance.id], now)
    return CasePage(case=row, data=data, events=case_events(session, instance.id),
                    tasks=open_tasks(session, instance, now, with_candidates=supervisor),
                    markers=diagram_markers(session, instance, now, xml),
                    element_names=_step_names(session, instance, xml),
                    attachments=attachments.list_attachments(session, instance.id),
                    may_supervise=supervisor, last_error=instance.last_error,
                    incidents=shown_to(session, user, instance, rules=engine.supervision),
                    may_settle_incidents=is_admin(user),
                    may_comment=may_comment(session, user, instance, rules=engine.supervision))


def diagram_of(session: Session, user: User, instance_id: int, *, rules: SupervisionRules) -> str:
    """The BPMN XML for the diagram, for someone who may see the case."""
    return bpmn_source(session, visible_case(session, user, instance_id, rules=rules))


@dataclass(frozen=True)
class CaseDetail:
    instance: CaseView
    data: dict[str, Any]
    events: list[EventView]
    comments: list[dict[str, Any]] = field(default_factory=list)
    may_supervise: bool = False
    incidents: list[IncidentView] = field(default_factory=list)


def case_detail(engine: CaseLoader, session: Session, user: User, instance_id: int) -> CaseDetail:
    instance = visible_case(session, user, instance_id, rules=engine.supervision)
    comments = [{"id": c.id, "author": c.author.username, "body": c.body,
                 "created_at": c.created_at.isoformat()}
                for c in session.scalars(select(Comment).where(Comment.instance_id == instance.id)
                                         .order_by(Comment.id))]
    return CaseDetail(instance=case_view(session, instance), data=case_data(engine, session, instance),
                          events=case_events(session, instance.id), comments=comments,
                          may_supervise=may_supervise(session, user, instance, rules=engine.supervision),
                          incidents=shown_to(session, user, instance, rules=engine.supervision))
