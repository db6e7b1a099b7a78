"""退回: the holder of a task sends the case back to an earlier step, which reopens for whoever did it.

The step must be on the path that led to the task and after any point of no return the case has
passed (`engine.bpmn.rewind` says which steps are and how the workflow is rewound). Everything that
came after the step closes; the step's task reopens assigned to the person who completed it, with
their earlier entries as its draft and the reason as its notice, shown on top of its page. A
multi-instance step reopens as new instances, each with the notice, for whoever each falls to.
"""
from __future__ import annotations

from typing import Any, Mapping
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access import can_act, deputy_for
from engine.bpmn.rewind import Target, rewind, send_back_targets
from engine.errors import InvalidData, PermissionDenied
from engine.models import HumanTask, User
from engine.sandbox.model_code import running_model
from engine.views import CaseView

from . import case_rows
from .case_rows import TaskRow, case_row_view
from .engine import Engine
from .incidents import checked_reason
from .steps import advance, ready_task, record

_task = HumanTask.__table__


def send_back(engine: Engine, session: Session, task_id: int, user: User, to: str, reason: str | None
              ) -> CaseView:
    """Send the case of an open task back to the earlier step `to` (its element id), saying why."""
    task, case, open_rows = engine.open_task(session, task_id)
    if not can_act(user, task) or task.assignee_id not in (None, user.id):
        raise PermissionDenied(f"{user.username} may not send task {task_id} back")
    reason = checked_reason(reason)
    parsed, workflow = engine.load(session, case)
    holder = ready_task(workflow, task.spiff_task_id)
    target = next((t for t in send_back_targets(workflow, holder) if t.element_id == to), None)
    if target is None:
        raise InvalidData(f"{to!r} is not an earlier step this task may send the case back to",
                          {"to": "not an earlier step on this task's path"})
    earlier = {} if target.multi else _entries(parsed.form_for(target.element_id), target.task.data)
    previous = None if target.multi else _previous_holder(session, target)
    now = engine.clock()
    deputy = deputy_for(session, previous, None, now) if previous is not None else None  # 代理
    record(session, case, "sent_back", user, now, task=task, message=reason,
           data={"from": task.element_id, "to": target.element_id, "to_name": target.name,
                 "assignee": (deputy or previous).username if previous else None,
                 **({"on_behalf_of": previous.username} if deputy and previous else {})})
    with running_model(engine.clock):  # a timer the rewind re-arms is due from the engine's now
        rewind(workflow, target)
    still_open = advance(session, case, workflow, user, engine.run_for(case), stored_open=open_rows)
    kept = {r.id for r in open_rows}
    for row in still_open:  # the step's new row (or its instances' rows)
        if row.element_id == target.element_id and row.id not in kept:
            _reopen(session, row, previous, deputy, earlier, reason, now)
    return case_row_view(case, still_open)


def _entries(form: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """What the step's form wrote last time, from the step's data (a reset drops it from the workflow)."""
    props = (form or {}).get("properties") or {}
    return {k: data[k] for k, p in props.items()
            if k in data and isinstance(p, Mapping) and not p.get("readOnly")}


def _previous_holder(session: Session, target: Target) -> User | None:
    """Who completed the step, if they may still do it; and the step's old row lets go of the
    workflow task's id (the reset keeps the id, and the reopened task gets a row of its own)."""
    spiff_id = str(target.task.id)
    done = session.execute(select(_task.c.id, _task.c.completed_by_id).where(
        _task.c.spiff_task_id == spiff_id)).first()
    if done is not None:
        session.execute(update(_task).where(_task.c.id == done.id).values(spiff_task_id=str(uuid4())))
        person = session.get(User, done.completed_by_id) if done.completed_by_id else None
    else:
        person = session.scalar(select(User).where(User.username == target.completed_by)) \
            if target.completed_by else None
    return person if person is not None and person.active else None


def _reopen(session: Session, row: TaskRow, previous: User | None, deputy: User | None,
            earlier: dict[str, Any], reason: str, now: Any) -> None:
    if previous is not None and deputy is not None and (can_act(deputy, row) or can_act(previous, row)):
        row.assignee_id, row.assignee, row.claimed_at = deputy.id, deputy.username, now
        row.on_behalf_of_id = previous.id
        case_rows.save_tasks(session, [row])
    elif previous is not None and can_act(previous, row):
        row.assignee_id, row.assignee, row.claimed_at = previous.id, previous.username, now
        case_rows.save_tasks(session, [row])
    row.draft = earlier or None
    session.execute(update(_task).where(_task.c.id == row.id).values(draft=row.draft, notice=reason))
