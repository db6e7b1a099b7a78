"""Who holds a role in a case's scope, and who takes part in a case: the people a cc names by role,
the people an urge reaches, and the people who may cc a case by hand."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import HumanTask, RoleAssignment, User
from engine.policy import SupervisionRules

from .grants import Grant
from .visibility import Identified, may_supervise


class Scoped(Protocol):
    @property
    def store_code(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...


def holders_in_scope(session: Session, role: str | None, where: Scoped) -> list[User]:
    """The active people whose holding of `role` covers a case or task at `where`'s store and region
    (a store-scoped holding that store, a regional one its region, an unscoped one everywhere)."""
    if not role:
        return []
    rows = session.execute(select(User, RoleAssignment)
                           .join(RoleAssignment, RoleAssignment.user_id == User.id)
                           .where(RoleAssignment.role == role, User.active.is_(True))
                           .order_by(User.username)).all()
    found: dict[int, User] = {}
    for user, held in rows:
        if Grant(held.role, held.store_code, held.region).covers(role, where.store_code, where.region):
            found.setdefault(user.id, user)
    return list(found.values())


def took_part(session: Session, user: User, case: Identified, started_by_id: int | None, *,
              rules: SupervisionRules) -> bool:
    """Whether `user` started the case, holds or held one of its steps, or supervises it."""
    if started_by_id == user.id:
        return True
    held = session.scalar(select(HumanTask.id).where(
        HumanTask.instance_id == case.id,
        or_(HumanTask.assignee_id == user.id, HumanTask.completed_by_id == user.id)).limit(1))
    return held is not None or may_supervise(session, user, case, rules=rules)
