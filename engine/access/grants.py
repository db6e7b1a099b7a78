"""Who may see, claim and complete a human task: the lane's role, narrowed by the case's scope.

A role held without scope covers every task of that role; a store-scoped holding covers the tasks
of that store; a region-scoped holding covers the tasks of that region's stores.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, selectinload

from engine.models import HumanTask, RoleAssignment, Store, User


@dataclass(frozen=True)
class Grant:
    role: str
    store_code: str | None = None
    region: str | None = None

    def covers(self, role: str | None, store_code: str | None, region: str | None) -> bool:
        if role != self.role:
            return False
        if self.store_code:
            return store_code == self.store_code
        if self.region:
            return region == self.region
        return True


#: Where the signed-in loader leaves the grants it read with the user (`hold_grants`): an attribute of
#: the instance that SQLAlchemy does not map, so it is neither written nor expired.
_HELD = "_opsflow_held_grants"


def hold_grants(user: User, grants: list[Grant]) -> None:
    """Give `user` the grants read with them, for `grants_of` to answer from while their roles are not
    loaded. A request's permission checks then need no ORM object per role; the roles stay a
    relationship, loaded (one statement) by whoever reads `user.roles`, and from then on they decide."""
    user.__dict__[_HELD] = grants


def grants_of(user: User) -> list[Grant]:
    """The grants `user` holds: their roles when loaded (a change to them counts at once), else the
    ones the signed-in loader read with them (`hold_grants`)."""
    state = user.__dict__
    if "roles" not in state and _HELD in state:
        return list(state[_HELD])
    return [Grant(r.role, r.store_code, r.region) for r in user.roles]


def role_keys(user: User) -> set[str]:
    return {g.role for g in grants_of(user)}


class ScopedTask(Protocol):
    """What a grant looks at in a task: a `HumanTask`, or the row a command holds."""

    @property
    def lane_role(self) -> str | None: ...
    @property
    def store_code(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def assignee_id(self) -> int | None: ...


def holds_role_for(user: User, task: ScopedTask) -> bool:
    """Does `user` hold the task's lane role in the case's scope (who it may be handed to)?"""
    return any(g.covers(task.lane_role, task.store_code, task.region) for g in grants_of(user))


def can_act(user: User, task: ScopedTask) -> bool:
    """May `user` claim or complete `task` (ignoring who else has claimed it)? The lane's role in
    scope, or the task is assigned to them by name (a model's assignee, a transfer), role or not."""
    return task.assignee_id == user.id or holds_role_for(user, task)


def actionable_filter(grants: Iterable[Grant]) -> ColumnElement[bool]:
    """SQL condition on HumanTask matching the tasks these grants cover."""
    clauses: list[ColumnElement[bool]] = []
    unscoped = sorted({g.role for g in grants if not g.store_code and not g.region})
    if unscoped:
        clauses.append(HumanTask.lane_role.in_(unscoped))
    for g in grants:
        if g.store_code:
            clauses.append(and_(HumanTask.lane_role == g.role, HumanTask.store_code == g.store_code))
        elif g.region:
            clauses.append(and_(HumanTask.lane_role == g.role, HumanTask.region == g.region))
    return or_(*clauses) if clauses else false()


def region_of(session: Session, store_code: str | None) -> str | None:
    if not store_code:
        return None
    return session.scalar(select(Store.region).where(Store.code == store_code))


def eligible_users(session: Session, task: HumanTask) -> list[User]:
    """Everyone who could take `task`: the candidates offered when a supervisor reassigns it."""
    rows = session.scalars(select(User).join(RoleAssignment).where(
        RoleAssignment.role == task.lane_role, User.active.is_(True)).distinct().order_by(User.username)
        .options(selectinload(User.roles)))  # one query for every candidate's grants, not one each
    return [u for u in rows if holds_role_for(u, task)]
