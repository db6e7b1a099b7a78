"""抄送我的: the cases a person was cc'd on, newest cc first, with whether they have opened them since."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.errors import InvalidData
from engine.models import CaseCc, ProcessInstance, User
from engine.views import CaseView, Page, case_view

from .task_lists import MAX_PER_PAGE


@dataclass(frozen=True)
class CcEntry:
    case: CaseView
    by: str | None  # who cc'd me; None when a model step did
    by_name: str | None
    step: str | None  # the model step that cc'd me
    note: str
    cc_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.case.to_dict(), "by": self.by, "step": self.step, "note": self.note,
                "cc_at": self.cc_at.isoformat(),
                "read_at": self.read_at.isoformat() if self.read_at else None, "unread": self.unread}


def cc_list(session: Session, user: User, *, unread_only: bool = False, page: int = 1,
            per_page: int = 20) -> Page[CcEntry]:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidData("invalid list parameters", {"page": "must be 1 or more"} if page < 1 else
                          {"per_page": f"must be between 1 and {MAX_PER_PAGE}"})
    by = aliased(User)
    mine = [CaseCc.user_id == user.id] + ([CaseCc.read_at.is_(None)] if unread_only else [])
    total = session.scalar(select(func.count()).select_from(CaseCc).where(*mine)) or 0
    rows = session.execute(select(CaseCc, ProcessInstance, by.username, by.display_name)
                           .join(ProcessInstance, ProcessInstance.id == CaseCc.instance_id)
                           .outerjoin(by, by.id == CaseCc.by_id).where(*mine)
                           .order_by(CaseCc.created_at.desc(), CaseCc.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    items = [CcEntry(case_view(session, instance), username, display or username, cc.element_id, cc.note,
                     cc.created_at, cc.read_at) for cc, instance, username, display in rows]
    return Page(items, total, page, per_page)


def colleagues(session: Session, user: User) -> list[tuple[str, str]]:
    """Whom `user` may cc: every other active person, as (username, display name)."""
    return [(u, d or u) for u, d in session.execute(
        select(User.username, User.display_name).where(User.active.is_(True), User.id != user.id)
        .order_by(User.username))]


def cc_unread(session: Session, user: User) -> int:
    """How many cc'd cases `user` has not opened since (the navigation badge)."""
    return session.scalar(select(func.count()).select_from(CaseCc).where(
        CaseCc.user_id == user.id, CaseCc.read_at.is_(None))) or 0
