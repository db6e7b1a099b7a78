"""加签 / 减签: the holder of a task asks named people to approve before or after them, or takes a
request back; the people asked decide 同意 or 不同意 with a comment.

The approvals are rows of the task table (kind "approval", `parent_id` the holder's task) and not
elements of the model, so the workflow never sees them: the holder's task stays READY in it until
the holder completes it for real. Approvals *before* the holder are asked at once and keep the holder
from completing until all have agreed; approvals *after* are named now and asked when the holder
completes, whose data is then held (in the task's draft) until all have agreed, when the completion
runs, the holder's. A 不同意 returns the task to its holder with the comment and closes the other
approvals of that round.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping, Protocol, Sequence
from uuid import uuid4
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_act, deputies_now
from engine.bpmn.specs import ParsedProcess
from engine.errors import Conflict, InvalidData, PermissionDenied
from engine.forms import validation as forms
from engine.models import User
from engine.sandbox.model_code import running_model
from engine.views import CaseView, TaskView

from . import case_rows
from .case_rows import CaseRow, TaskRow, case_row_view, task_row_view
from .steps import Run, advance, ready_task, record, store
from .sync import TaskChanges


class ApprovalEngine(Protocol):
    """What these commands use of the `Engine` (which calls `complete_held` from its `complete`)."""

    clock: Callable[[], datetime]
    zone: ZoneInfo

    def open_task(self, session: Session, task_id: int) -> tuple[TaskRow, CaseRow, list[TaskRow]]: ...
    def load(self, session: Session, instance: CaseRow) -> tuple[ParsedProcess, BpmnWorkflow]: ...
    def run_for(self, case: CaseRow, clock: Callable[[], datetime] | None = None) -> Run: ...

BEFORE, AFTER = "before", "after"
POSITIONS = (BEFORE, AFTER)
APPROVE, REJECT = "approve", "reject"
DECISIONS = (APPROVE, REJECT)
MAX_APPROVERS = 10  # asked at once on one task
MAX_NOTE = 2000  # a reason or a comment


def add_approvers(engine: ApprovalEngine, session: Session, task_id: int, user: User,
                  usernames: Sequence[str], position: str, reason: str) -> TaskView:
    """The holder asks `usernames` to approve before (now) or after (when the holder completes)."""
    task, case, open_rows = _held_task(engine, session, task_id, user)
    if task.waiting_on == "approval":
        raise Conflict("the task is already submitted and waits on its approvers")
    if position not in POSITIONS:
        raise InvalidData("position must be before or after", {"position": "must be before or after"})
    reason = _note(reason, "reason", required=True)
    people = _approvers(session, task, open_rows, user, usernames)
    now = engine.clock()
    if task.assignee_id is None:  # asking for approvals takes the task, as completing it would
        task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, now
    created: list[TaskRow] = []
    if position == BEFORE:
        created = _approval_rows(session, case, task, people, BEFORE, now)
        task.waiting_on = BEFORE
    else:
        task.after_approvers = [*(task.after_approvers or []), *(p.username for p in people)]
    names = [p.username for p in people]
    record(session, case, "approvers_added", user, now, task=task, message=reason,
           data={"usernames": names, "position": position})
    store(session, case, TaskChanges(changed=[task], created=created), now=now, with_state=False)
    return task_row_view(task, case)


def remove_approver(engine: ApprovalEngine, session: Session, task_id: int, user: User, username: str,
                    reason: str = "") -> TaskView:
    """减签: the holder takes back a request not yet decided. Removing the last open approval after a
    submitted task completes it (the others have all agreed)."""
    task, case, open_rows = _held_task(engine, session, task_id, user)
    reason = _note(reason, "reason", required=False)
    now = engine.clock()
    person = session.scalar(select(User.id).where(User.username == username))
    asked = [r for r in _children(open_rows, task)
             if r.assignee == username or (person is not None and r.on_behalf_of_id == person)]
    if asked:
        removed = asked[0]
        removed.state, removed.completed_at = "cancelled", now
        position = removed.position
    elif username in (task.after_approvers or []):
        task.after_approvers = [n for n in task.after_approvers or [] if n != username] or None
        removed, position = None, AFTER
    else:
        raise InvalidData(f"{username} has no open approval on this task",
                          {"username": "has no open approval on this task"})
    record(session, case, "approver_removed", user, now, task=task, message=reason,
           data={"username": username, "position": position})
    changed = [task] if removed is None else [task, removed]
    open_children = [r for r in _children(open_rows, task) if r.state == "open"]
    if task.waiting_on == "approval" and not open_children:
        _finish(engine, session, task, case, open_rows, user, changed)
        return task_row_view(task, case)
    task.waiting_on = _waiting(task, open_children)
    store(session, case, TaskChanges(changed=changed), now=now, with_state=False)
    return task_row_view(task, case)


def decide(engine: ApprovalEngine, session: Session, approval_task_id: int, user: User, approve: bool,
           comment: str) -> CaseView:
    """同意 or 不同意 on an approval the holder asked `user` for."""
    task, case, open_rows = engine.open_task(session, approval_task_id)
    if task.kind != "approval":
        raise Conflict(f"task {approval_task_id} is a step of the process, not an approval; complete it")
    return _decide(engine, session, task, case, open_rows, user, approve, comment)


def complete_held(engine: ApprovalEngine, session: Session, task: TaskRow, case: CaseRow,
                  open_rows: list[TaskRow], user: User, data: Mapping[str, Any] | None) -> CaseView:
    """`Engine.complete` of a task with approvals: an approval's decision (`{"decision", "comment"}`),
    a refusal while approvals before the holder are open, or the holder's submission that asks the
    approvers after them."""
    data = data or {}
    if task.kind == "approval":
        decision = data.get("decision")
        if decision not in DECISIONS:
            raise InvalidData("decision must be approve or reject", {"decision": "must be approve or reject"})
        comment = data.get("comment")
        return _decide(engine, session, task, case, open_rows, user, decision == APPROVE,
                       comment if isinstance(comment, str) else "")
    if not can_act(user, task) or task.assignee_id not in (None, user.id):
        raise PermissionDenied(f"{user.username} may not complete task {task.id}")
    if task.waiting_on == BEFORE:
        waiting = ", ".join(r.assignee or "" for r in _children(open_rows, task))
        raise Conflict(f"the approvers you asked before you have not all agreed yet ({waiting})")
    if task.waiting_on == "approval":
        raise Conflict("the task is already submitted and waits on its approvers")
    parsed, workflow = engine.load(session, case)
    spiff_task = ready_task(workflow, task.spiff_task_id)
    now = engine.clock()
    clean = forms.clean(parsed.form_for(task.element_id), dict(data), spiff_task.data, now=now,
                        zone=engine.zone)
    named = task.after_approvers or []
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(named),
                                                                       User.active.is_(True)))}
    people = [found[n] for n in named if n in found]
    if task.assignee_id is None:
        task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, now
    task.draft, task.after_approvers = clean, None
    if not people:  # everyone named has left since: nobody to wait on
        return _finish(engine, session, task, case, open_rows, user, [])
    created = _approval_rows(session, case, task, people, AFTER, now)
    task.waiting_on = "approval"
    record(session, case, "task_submitted", user, now, task=task, message=task.name,
           data={"usernames": [p.username for p in people], "values": clean})
    store(session, case, TaskChanges(changed=[task], created=created), now=now, with_state=False)
    case_rows.keep_draft(session, task)
    return case_row_view(case, [*open_rows, *created])


def _decide(engine: ApprovalEngine, session: Session, task: TaskRow, case: CaseRow, open_rows: list[TaskRow],
            user: User, approve: bool, comment: str) -> CaseView:
    if task.assignee_id != user.id:
        raise PermissionDenied(f"{user.username} was not asked to approve task {task.id}")
    comment = _note(comment, "comment", required=not approve)
    holder = next((r for r in open_rows if r.id == task.parent_id), None)
    if holder is None:  # the sync closes approvals with their holder's task: only a broken row gets here
        raise Conflict(f"the task approval {task.id} was asked for is closed")
    now = engine.clock()
    task.state, task.completed_at = "completed", now
    task.completed_by_id, task.completed_by = user.id, user.username
    task.decision, task.comment = (APPROVE if approve else REJECT), comment
    record(session, case, "approval_decided", user, now, task=task, message=comment,
           data={"decision": task.decision, "position": task.position, "holder": holder.assignee,
                 "holder_task": holder.id})
    changed = [holder, task]
    round_ = [r for r in _children(open_rows, holder) if r.state == "open" and r.position == task.position]
    if not approve:
        for other in round_:  # the round is over: the holder has the task back
            other.state, other.completed_at = "cancelled", now
            record(session, case, "task_cancelled", None, now, task=other, message=other.name)
        changed += round_
        round_ = []
        if task.position == AFTER:  # the holder's data stays in the draft, for the form to show again
            holder.waiting_on = None
    if task.position == AFTER and holder.waiting_on == "approval" and not round_:
        return _finish(engine, session, holder, case, open_rows, user, changed[1:])
    holder.waiting_on = _waiting(holder, [r for r in _children(open_rows, holder) if r.state == "open"])
    store(session, case, TaskChanges(changed=changed), now=now, with_state=False)
    return case_row_view(case, [r for r in open_rows if r.state == "open"])


def _finish(engine: ApprovalEngine, session: Session, holder: TaskRow, case: CaseRow,
            open_rows: list[TaskRow], user: User, changed: list[TaskRow]) -> CaseView:
    """The holder's completion, held until the approvers after them agreed, runs now with their data."""
    parsed, workflow = engine.load(session, case)
    spiff_task = ready_task(workflow, holder.spiff_task_id)
    data = dict(holder.draft or {})
    now = engine.clock()
    spiff_task.data.update(data)
    spiff_task.data["completed_by"] = {**spiff_task.data.get("completed_by", {}),
                                       holder.element_id: holder.assignee}
    holder.state, holder.completed_at, holder.waiting_on, holder.draft = "completed", now, None, None
    holder.completed_by_id, holder.completed_by = holder.assignee_id, holder.assignee
    actor = session.get(User, holder.assignee_id) if holder.assignee_id not in (None, user.id) else user
    record(session, case, "task_completed", actor, now, task=holder, message=holder.name, data=data)
    with running_model(engine.clock, [spiff_task]):
        spiff_task.run()
    return case_row_view(case, advance(session, case, workflow, user, engine.run_for(case),
                                       held=[holder, *(r for r in changed if r is not holder)],
                                       stored_open=open_rows))


def _held_task(engine: ApprovalEngine, session: Session, task_id: int, user: User
               ) -> tuple[TaskRow, CaseRow, list[TaskRow]]:
    """The open step `user` holds (or may take: it is in the pool and theirs to do)."""
    task, case, open_rows = engine.open_task(session, task_id)
    if task.kind != "step":
        raise Conflict("approvers are asked on a step of the process, not on an approval")
    if task.assignee_id != user.id and not (task.assignee_id is None and can_act(user, task)):
        raise PermissionDenied(f"{user.username} does not hold task {task_id}")
    return task, case, open_rows


def _approvers(session: Session, task: TaskRow, open_rows: list[TaskRow], user: User,
               usernames: Sequence[str]) -> list[User]:
    if not isinstance(usernames, (list, tuple)) or not usernames \
            or not all(isinstance(n, str) and n.strip() for n in usernames):
        raise InvalidData("name at least one approver", {"usernames": "a list of usernames is required"})
    names = list(dict.fromkeys(n.strip() for n in usernames))
    if len(names) > MAX_APPROVERS:
        raise InvalidData(f"at most {MAX_APPROVERS} approvers at once",
                          {"usernames": f"at most {MAX_APPROVERS}"})
    if user.username in names or task.assignee in names:
        raise InvalidData("the holder cannot approve their own task", {"usernames": "not the holder"})
    asked = {r.assignee for r in _children(open_rows, task)} | set(task.after_approvers or [])
    if asked & set(names):
        twice = ", ".join(sorted(n for n in asked & set(names) if n))
        raise InvalidData(f"already asked: {twice}", {"usernames": f"already asked: {twice}"})
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names),
                                                                       User.active.is_(True)))}
    unknown = [n for n in names if n not in found]
    if unknown:
        listed = ", ".join(unknown)
        raise InvalidData(f"unknown user: {listed}", {"usernames": f"unknown: {listed}"})
    represented = {r.on_behalf_of_id for r in _children(open_rows, task)}  # asked, their deputy holds it
    if any(found[n].id in represented for n in names):
        twice = ", ".join(n for n in names if found[n].id in represented)
        raise InvalidData(f"already asked: {twice}", {"usernames": f"already asked: {twice}"})
    return [found[n] for n in names]


def _approval_rows(session: Session, case: CaseRow, holder: TaskRow, people: list[User], position: str,
                   now: datetime) -> list[TaskRow]:
    """One approval per person asked; a person away at `now` has it go to their deputy (代理), marked
    on their behalf, unless the deputy is the holder (who cannot approve their own task)."""
    deputies = deputies_now(session, [p.id for p in people], now)
    rows = []
    for person in people:
        deputy_id, deputy_name = deputies.get(person.id, (None, None))
        if deputy_id is None or deputy_id == holder.assignee_id:
            deputy_id = deputy_name = None
        rows.append(TaskRow(
            instance_id=case.id, spiff_task_id=str(uuid4()), process_key=case.process_key,
            element_id=holder.element_id, name=holder.name, created_at=now, lane_role=None,
            store_code=holder.store_code, region=holder.region, priority=holder.priority,
            due_at=holder.due_at, assignee_id=deputy_id or person.id, claimed_at=now, kind="approval",
            parent_id=holder.id, position=position, assignee=deputy_name or person.username,
            on_behalf_of_id=person.id if deputy_id else None))
    return rows


def _children(open_rows: list[TaskRow], holder: TaskRow) -> list[TaskRow]:
    return [r for r in open_rows if r.kind == "approval" and r.parent_id == holder.id]


def _waiting(holder: TaskRow, open_children: list[TaskRow]) -> str | None:
    if any(r.position == BEFORE for r in open_children):
        return BEFORE
    if holder.waiting_on == "approval" and any(r.position == AFTER for r in open_children):
        return "approval"
    return None


def _note(text: Any, field: str, *, required: bool) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if required and not text:
        raise InvalidData(f"a {field} is required", {field: "required"})
    if len(text) > MAX_NOTE:
        raise InvalidData(f"the {field} is too long", {field: f"at most {MAX_NOTE} characters"})
    return text
