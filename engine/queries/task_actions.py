"""What a person may do with a task right now, as the short names the API and the pages share.

One place decides, so the buttons a page shows, the `actions` the API returns and the commands'
own checks cannot drift apart: every command still checks again when it runs.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.access.deputies import stands_in_for
from engine.access.grants import can_act
from engine.access.holders import took_part
from engine.access.visibility import may_supervise
from engine.models import RUNNING, HumanTask, User
from engine.policy import SupervisionRules

#: Every action a task can offer, in the order pages show them.
TASK_ACTIONS = ("complete", "save_draft", "claim", "transfer", "release", "send_back", "add_approvers",
                "remove_approver", "decide", "urge", "cc", "comment")


def task_actions(session: Session, user: User, task: HumanTask, rules: SupervisionRules, *,
                 may_send_back: bool = False, now: datetime | None = None) -> tuple[str, ...]:
    """The actions `user` may take on `task` now (the task is one they may see); `may_send_back`:
    the case has an earlier step this task may send it back to (the task page works that out).
    Given `now`, a deputy (代理) may claim the pool tasks of whoever they stand in for."""
    case = task.instance
    allowed = {"comment"}
    supervises = may_supervise(session, user, case, rules=rules)
    starter = case.started_by_id == user.id
    if starter or supervises or took_part(session, user, case, case.started_by_id, rules=rules):
        allowed.add("cc")
    if (task.state == "open" and case.status == RUNNING and (starter or supervises)
            and task.assignee_id != user.id):
        allowed.add("urge")
    if task.state == "open" and case.status == RUNNING and task.kind == "approval":
        if task.assignee_id == user.id:
            allowed.add("decide")
    elif task.state == "open" and case.status == RUNNING:
        acting = can_act(user, task) and task.assignee_id in (None, user.id)
        if acting and not task.waiting_on:  # 加签: the holder waits on the approvers they asked
            allowed.update(("complete", "save_draft"))
        if acting and may_send_back and not task.waiting_on:
            allowed.add("send_back")
        if acting and task.waiting_on != "approval":
            allowed.add("add_approvers")
        if acting and (task.waiting_on or task.after_approvers):
            allowed.add("remove_approver")
        if acting and task.assignee_id is None:
            allowed.add("claim")
        elif (task.assignee_id is None and now is not None and task.kind == "step" and not can_act(user, task)
              and stands_in_for(session, user, task, now) is not None):
            allowed.add("claim")
        if (task.assignee_id == user.id or supervises) and not task.waiting_on:
            allowed.add("transfer")  # to a colleague with the role: the holder, or a supervisor
            if task.assignee_id is not None:
                allowed.add("release")
    return tuple(a for a in TASK_ACTIONS if a in allowed)
