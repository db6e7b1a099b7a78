"""Work goes to its person: who a new task is assigned to before anyone has to claim it.

A model may name the person (`assignee`, an expression over the task's data such as `started_by`
or `completed_by["write_plan"]`, evaluated in the sandbox like any other model code); a task whose
lane role is held in the case's scope by exactly one active person goes to that person. Otherwise
the task waits in the pool for whoever holds the role to claim it. Finding the holders is one
prebuilt query on the indexed role assignments per new task (a complete opens one task, usually).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from engine.bpmn.specs import task_property
from engine.models import RoleAssignment, User
from engine.sandbox.model_code import running_model

from .case_rows import CaseRow, TaskRow

#: The user-task property naming the assignee: an expression whose value is a username.
ASSIGNEE = "assignee"

_ROLE = RoleAssignment.__table__.c
_USER = User.__table__.c
# The active people whose grants cover a task (see `Grant.covers`): unscoped, the task's store, or
# the task's region; a NULL store or region matches nothing. Two rows are enough to know "not one".
_HOLDERS = (select(_USER.id, _USER.username).select_from(User.__table__.join(
    RoleAssignment.__table__, _ROLE.user_id == _USER.id)).where(
    _USER.active.is_(True), _ROLE.role == bindparam("b_role"),
    or_(and_(_ROLE.store_code.is_(None), _ROLE.region.is_(None)), _ROLE.store_code == bindparam("b_store"),
        and_(_ROLE.store_code.is_(None), _ROLE.region == bindparam("b_region"))))
    .group_by(_USER.id, _USER.username).limit(2))


def assign_new_tasks(session: Session, case: CaseRow, workflow: BpmnWorkflow,
                     created: Sequence[tuple[TaskRow, Any]], now: datetime,
                     record: Callable[..., None]) -> None:
    """Assign each new task (row, workflow task) to the person its model names, if that person is
    active, else to the one active holder of its role in scope, if there is exactly one. A row that
    already has its person (an approver's instance of a multi-approver step) keeps them."""
    created = [(row, task) for row, task in created if row.assignee_id is None]
    named = {id(row): name for row, task in created if (name := _named(workflow, task, now))}
    people = _active(session, set(named.values()))
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
                                                "b_region": row.region}).all()
        if len(holders) == 1:
            _assign(session, case, row, tuple(holders[0]), now, record, "rule")


def _named(workflow: BpmnWorkflow, task: Any, now: datetime) -> str | None:
    expression = task_property(task.task_spec, ASSIGNEE)
    if not expression:
        return None
    with running_model(lambda: now, [task]):
        value = workflow.script_engine.evaluate(task, expression)
    return value if isinstance(value, str) and value else None


def _active(session: Session, usernames: set[str]) -> dict[str, tuple[int, str]]:
    if not usernames:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.username.in_(sorted(usernames)),
                                                               User.active.is_(True)))
    return {name: (uid, name) for uid, name in rows}


def _assign(session: Session, case: CaseRow, row: TaskRow, person: tuple[int, str], now: datetime,
            record: Callable[..., None], by: str) -> None:
    row.assignee_id, row.assignee = person
    row.claimed_at = now
    record(session, case, "task_assigned", None, task=row, data={"to": row.assignee, "by": by})
