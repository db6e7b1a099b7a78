"""The approvals a task's holder asked for (加签), as its page and the API show them."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.models import HumanTask


@dataclass(frozen=True)
class ApprovalView:
    """One person asked to approve: `state` is "pending" for one named to approve after the holder,
    who is asked when the holder completes, else their task's state."""

    username: str
    position: str
    state: str
    task_id: int | None = None
    decision: str | None = None
    comment: str | None = None
    decided_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        return data


def holder_task(session: Session, task: HumanTask) -> HumanTask:
    """The step an approval was asked on; a step is its own holder."""
    if task.kind != "approval" or task.parent_id is None:
        return task
    parent = session.get(HumanTask, task.parent_id)
    return parent if parent is not None else task


def approvals_of(session: Session, holder: HumanTask) -> list[ApprovalView]:
    """Everyone the holder asked on this step, in the order asked, those still to be asked last."""
    rows = session.scalars(select(HumanTask).options(joinedload(HumanTask.assignee))
                           .where(HumanTask.parent_id == holder.id).order_by(HumanTask.id))
    asked = [ApprovalView(username=r.assignee.username if r.assignee else "", position=r.position or "",
                          state=r.state, task_id=r.id, decision=r.decision, comment=r.comment,
                          decided_at=r.completed_at if r.decision else None) for r in rows]
    return asked + [ApprovalView(username=name, position="after", state="pending")
                    for name in holder.after_approvers or []]
