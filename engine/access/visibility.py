"""Who may see a case or a task, who may supervise a case, and who may read the dashboard.

Which roles oversee which cases is the catalogue's to say (`SupervisionRules`, handed down from the
`Engine`), so every function here takes the rules along with the person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import CaseCc, HumanTask, ProcessInstance, User
from engine.policy import SupervisionRules

from .deputies import may_act
from .grants import ScopedTask, actionable_filter, can_act, grants_of, role_keys


class Identified(Protocol):
    """A case as an ORM object or a command's record: all visibility needs is its id."""

    @property
    def id(self) -> int | None: ...


def supervision_filter(user: User, *, rules: SupervisionRules) -> ColumnElement[bool]:
    """Cases a user oversees by role: every case, a role's processes, or a region's cases."""
    roles = role_keys(user)
    if roles & rules.all_cases:
        return true()
    clauses = []
    processes = sorted({key for role in roles for key in rules.processes.get(role, ())})
    if processes:
        clauses.append(ProcessInstance.process_key.in_(processes))
    regions = sorted(_regions(user, rules))
    if regions:
        clauses.append(ProcessInstance.region.in_(regions))
    return or_(*clauses) if clauses else false()


def _regions(user: User, rules: SupervisionRules) -> set[str]:
    return {g.region for g in grants_of(user) if g.role in rules.regional and g.region}


def _read_stores(user: User, rules: SupervisionRules) -> set[str]:
    return {g.store_code for g in grants_of(user) if g.role in rules.store_readers and g.store_code}


def reading_filter(user: User, *, rules: SupervisionRules) -> ColumnElement[bool]:
    """Cases a user reads by role, the dashboard's scope: those they oversee, every case for a reader
    (the analyst), a store reader's own store's cases (a store manager). Reading is not acting."""
    if role_keys(user) & rules.readers:
        return true()
    stores = sorted(_read_stores(user, rules))
    supervised = supervision_filter(user, rules=rules)
    return or_(supervised, ProcessInstance.store_code.in_(stores)) if stores else supervised


def _involvement_filter(user: User) -> ColumnElement[bool]:
    """Cases a user started, took part in, or was cc'd on."""
    part_of = ProcessInstance.id.in_(select(HumanTask.instance_id).where(
        or_(HumanTask.assignee_id == user.id, HumanTask.completed_by_id == user.id,
            and_(HumanTask.state == "open", actionable_filter(grants_of(user))))))
    cc_to_me = ProcessInstance.id.in_(select(CaseCc.instance_id).where(CaseCc.user_id == user.id))
    return or_(ProcessInstance.started_by_id == user.id, part_of, cc_to_me)


def visibility_filter(user: User, *, rules: SupervisionRules) -> ColumnElement[bool]:
    """Cases a user may see: the ones they read by role, started, took part in, or were cc'd on (a cc
    shows that one case; what may be done with its tasks is still decided by the grants alone)."""
    return or_(reading_filter(user, rules=rules), _involvement_filter(user))


def may_comment(session: Session, user: User, instance: Identified, *, rules: SupervisionRules) -> bool:
    """Those who take part in a case, started it, were cc'd on it or oversee it may comment (and
    @mention); a reader by role (the analyst, a store manager reading their store) only reads."""
    return session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == instance.id,
        or_(supervision_filter(user, rules=rules), _involvement_filter(user)))) is not None


def may_see(session: Session, user: User, instance: Identified, *, rules: SupervisionRules) -> bool:
    return session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == instance.id, visibility_filter(user, rules=rules))) is not None


def may_supervise(session: Session, user: User, instance: Identified, *, rules: SupervisionRules) -> bool:
    if not may_supervise_cases(user, rules=rules):
        return False  # oversees no case by role: no need to ask the database about this one
    return session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == instance.id, supervision_filter(user, rules=rules))) is not None


def may_supervise_cases(user: User, *, rules: SupervisionRules) -> bool:
    """Whether the user oversees any cases by role (the case list's bulk actions are theirs)."""
    roles = role_keys(user)
    return bool(roles & rules.all_cases or any(rules.processes.get(role) for role in roles)
                or _regions(user, rules))


def may_view_dashboard(user: User, *, rules: SupervisionRules) -> bool:
    """The dashboard is for those who read cases by role: its figures span cases the viewer does not
    take part in (a store manager's narrowed to their store, see `reading_filter`)."""
    return bool(may_supervise_cases(user, rules=rules) or role_keys(user) & rules.readers
                or _read_stores(user, rules))


class SeenTask(ScopedTask, Protocol):
    """What seeing a task looks at: a `HumanTask`, or the row a command holds."""

    @property
    def instance_id(self) -> int: ...
    @property
    def completed_by_id(self) -> int | None: ...
    @property
    def state(self) -> str: ...


@dataclass(frozen=True)
class _CaseId:
    id: int


def sees_task(session: Session, user: User, task: SeenTask, *, rules: SupervisionRules,
              now: datetime | None = None) -> bool:
    """May `user` see `task`? Given `now`, a deputy (代理) sees the open pool tasks of whoever they
    stand in for. Who acts on the task sees it without a query (the common case of a command)."""
    return (can_act(user, task) or task.assignee_id == user.id or task.completed_by_id == user.id
            or may_see(session, user, _CaseId(task.instance_id), rules=rules)
            or (now is not None and task.state == "open" and may_act(session, user, task, now)))


def visible_task(session: Session, user: User, task_id: int, *, rules: SupervisionRules,
                 now: datetime | None = None) -> HumanTask:
    """The task if `user` may see it; one they may not see is as unknown as one that does not exist."""
    task = session.get(HumanTask, task_id)
    if task is None or not sees_task(session, user, task, rules=rules, now=now):
        raise NotFound(f"task {task_id} does not exist")
    return task


def visible_case(session: Session, user: User, instance_id: int, *,
                 rules: SupervisionRules) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not may_see(session, user, instance, rules=rules):
        raise NotFound(f"case {instance_id} does not exist")
    return instance


def ensure_visible(session: Session, user: User, instance_id: int, *, rules: SupervisionRules) -> None:
    visible_case(session, user, instance_id, rules=rules)
