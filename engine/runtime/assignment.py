"""Work goes to its person: who a new task is assigned to before anyone has to claim it.

A model may name the person (`assignee`, an expression over the task's data such as `started_by`
or `completed_by["write_plan"]`, evaluated in the sandbox like any other model code); a task whose
lane role is held in the case's scope by exactly one active person goes to that person. Otherwise
the task waits in the pool for whoever holds the role to claim it. Finding the holders is one
prebuilt query on the indexed role assignments per new task (a complete opens one task, usually).

代理: a person away at the time (an `AwayPeriod` holding now) with an active deputy does not get the
task; the deputy does, the row marked as held on the person's behalf (`on_behalf_of_id`). The away
period and deputy come with the same query that finds the person, so assigning costs no more.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from engine.bpmn.specs import task_property
from engine.models import AwayPeriod, RoleAssignment, User
from engine.sandbox.model_code import running_model

from .case_rows import CaseRow, TaskRow

#: The user-task property naming the assignee: an expression whose value is a username.
ASSIGNEE = "assignee"

_ROLE = RoleAssignment.__table__.c
_USER = User.__table__.c
_AWAY = AwayPeriod.__table__.c
_deputy = User.__table__.alias("deputy")
_DEPUTY = _deputy.c
# Each person with their deputy while they are away at `b_now` (None, None otherwise).
_PEOPLE = (User.__table__.join(RoleAssignment.__table__, _ROLE.user_id == _USER.id)
           .outerjoin(AwayPeriod.__table__, and_(_AWAY.user_id == _USER.id,
                                                 _AWAY.starts_at <= bindparam("b_now"),
                                                 _AWAY.ends_at > bindparam("b_now")))
           .outerjoin(_deputy, and_(_DEPUTY.id == _AWAY.deputy_id, _DEPUTY.active.is_(True))))
# The active people whose grants cover a task (see `Grant.covers`): unscoped, the task's store, or
# the task's region; a NULL store or region matches nothing. Two rows are enough to know "not one".
_HOLDERS = (select(_USER.id, _USER.username, _DEPUTY.id, _DEPUTY.username).select_from(_PEOPLE).where(
    _USER.active.is_(True), _ROLE.role == bindparam("b_role"),
    or_(and_(_ROLE.store_code.is_(None), _ROLE.region.is_(None)), _ROLE.store_code == bindparam("b_store"),
        and_(_ROLE.store_code.is_(None), _ROLE.region == bindparam("b_region"))))
    .group_by(_USER.id, _USER.username, _DEPUTY.id, _DEPUTY.username).limit(2))
#: A person: (id, username, deputy's id or None, deputy's username or None).
Person = tuple[int, str, "int | None", "str | None"]


def assign_new_tasks(session: Session, case: CaseRow, workflow: BpmnWorkflow,
                     created: Sequence[tuple[TaskRow, Any]], now: datetime,
                     record: Callable[..., None]) -> None:
    """Assign each new task (row, workflow task) to the person its model names, if that person is
    active, else to the one active holder of its role in scope, if there is exactly one. A row that
    already has its person (an approver's instance of a multi-approver step) keeps them."""
    created = [(row, task) for row, task in created if row.assignee_id is None]
    named = {id(row): name for row, task in created if (name := _named(workflow, task, now))}
    people = _active(session, set(named.values()), now)
    pooled = []
    for row, _task in created:
        person = people.get(named.get(id(row), ""))
        if person is not None:
            _assign(session, case, row, person, now, record, "model")
        elif row.lane_role:
            pooled.append(row)
    connection = session.connection()
    for row in pooled:
        holders = connection.execute(_HOLDERS, {"b_role": row.lane_role, "b_store": row.store_code,
                                                "b_region": row.region, "b_now": now}).all()
        if len(holders) == 1:
            _assign(session, case, row, tuple(holders[0]), now, record, "rule")


def _named(workflow: BpmnWorkflow, task: Any, now: datetime) -> str | None:
    expression = task_property(task.task_spec, ASSIGNEE)
    if not expression:
        return None
    with running_model(lambda: now, [task]):
        value = workflow.script_engine.evaluate(task, expression)
    return value if isinstance(value, str) and value else None


def _active(session: Session, usernames: set[str], now: datetime) -> dict[str, Person]:
    if not usernames:
        return {}
    rows = session.execute(select(_USER.id, _USER.username, _DEPUTY.id, _DEPUTY.username).select_from(
        User.__table__.outerjoin(AwayPeriod.__table__, and_(_AWAY.user_id == _USER.id, _AWAY.starts_at <= now,
                                                            _AWAY.ends_at > now))
        .outerjoin(_deputy, and_(_DEPUTY.id == _AWAY.deputy_id, _DEPUTY.active.is_(True))))
        .where(_USER.username.in_(sorted(usernames)), _USER.active.is_(True)))
    return {row[1]: (row[0], row[1], row[2], row[3]) for row in rows}


def _assign(session: Session, case: CaseRow, row: TaskRow, person: Person, now: datetime,
            record: Callable[..., None], by: str) -> None:
    uid, name, deputy_id, deputy = person
    row.claimed_at = now
    if deputy_id is None or deputy is None:
        row.assignee_id, row.assignee = uid, name
        record(session, case, "task_assigned", None, task=row, data={"to": name, "by": by})
        return
    row.assignee_id, row.assignee, row.on_behalf_of_id = deputy_id, deputy, uid
    record(session, case, "task_assigned", None, task=row,
           data={"to": deputy, "by": by, "on_behalf_of": name})
