"""代理: a person's away period and the deputy who takes their work meanwhile, set by the person or
by an administrator for anyone.

The deputy must hold every task role the person holds, within the same region: a store manager's
deputy may be the manager of a neighbouring store of the region (or a regional or unscoped holder
of the role), a regional holding's deputy holds the role in that region or everywhere, an unscoped
holding's deputy holds it unscoped. While standing in, the deputy acts in the person's scope (their
work and their pool), which is why the role itself is required. Field errors are stable codes the
UI puts into words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import ADMIN_ROLE, is_admin, record_change
from engine.access.grants import Grant, grants_of
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.models import AwayPeriod, Store, User

#: The longest away period one setting may cover.
MAX_AWAY = timedelta(days=366)
#: Why a field was refused.
REQUIRED, UNKNOWN, SELF, MISSING_ROLES, NOT_AFTER_START, PAST, TOO_LONG = (
    "required", "unknown", "self", "missing_roles", "not_after_start", "past", "too_long")


@dataclass(frozen=True)
class AwayView:
    """A person's away period: who, the deputy, from when until when, and whether it holds now."""

    username: str
    deputy: str
    deputy_name: str
    starts_at: datetime
    ends_at: datetime
    set_by: str | None
    holds_now: bool
    upcoming: bool

    def to_dict(self) -> dict[str, object]:
        return {"username": self.username, "deputy": self.deputy, "deputy_name": self.deputy_name,
                "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
                "set_by": self.set_by, "holds_now": self.holds_now, "upcoming": self.upcoming}


def _target(session: Session, actor: User, user_id: int) -> User:
    if actor.id != user_id and not is_admin(actor):
        raise PermissionDenied(f"{actor.username} may not set another person's away period")
    target = session.get(User, user_id)
    if target is None:
        raise NotFound(f"user {user_id} does not exist")
    return target


def _view(session: Session, target: User, period: AwayPeriod, now: datetime) -> AwayView:
    deputy = session.get(User, period.deputy_id)
    setter = session.get(User, period.set_by_id) if period.set_by_id else None
    assert deputy is not None  # the foreign key cascades
    return AwayView(username=target.username, deputy=deputy.username,
                    deputy_name=deputy.display_name or deputy.username, starts_at=period.starts_at,
                    ends_at=period.ends_at, set_by=setter.username if setter else None,
                    holds_now=period.starts_at <= now < period.ends_at, upcoming=now < period.starts_at)


def away_of(session: Session, actor: User, user_id: int, now: datetime) -> AwayView | None:
    """The person's away period, unless it has ended; themselves or an administrator."""
    target = _target(session, actor, user_id)
    period = session.scalar(select(AwayPeriod).where(AwayPeriod.user_id == target.id))
    if period is None or period.ends_at <= now:
        return None
    return _view(session, target, period, now)


def _task_grants(user: User) -> list[Grant]:
    return [g for g in grants_of(user) if g.role != ADMIN_ROLE]


def _region(session: Session, grant: Grant) -> str | None:
    if grant.store_code:
        return session.scalar(select(Store.region).where(Store.code == grant.store_code))
    return grant.region


def _near(session: Session, held: Grant, needed: Grant) -> bool:
    """Whether a holding of the role is near enough another to stand in for it: unscoped, or in
    the same region."""
    if held.role != needed.role:
        return False
    if not held.store_code and not held.region:
        return True
    if not needed.store_code and not needed.region:
        return False
    return _region(session, held) == _region(session, needed)


def missing_roles(session: Session, person: User, deputy: User) -> list[Grant]:
    """The person's task grants the deputy holds nowhere near (empty: the deputy may stand in)."""
    held = grants_of(deputy)
    return [g for g in _task_grants(person) if not any(_near(session, h, g) for h in held)]


def deputy_candidates(session: Session, actor: User, user_id: int) -> list[tuple[str, str]]:
    """Who may stand in for the person: active colleagues holding all their task roles in scope,
    as (username, display name), for the page's choice list."""
    target = _target(session, actor, user_id)
    needed = {g.role for g in _task_grants(target)}
    query = select(User).where(User.active.is_(True), User.id != target.id).order_by(User.username)
    people = [u for u in session.scalars(query) if needed <= {g.role for g in grants_of(u)}]
    return [(u.username, u.display_name or u.username) for u in people
            if not missing_roles(session, target, u)]


def set_away(session: Session, actor: User, user_id: int, *, deputy: str, starts_at: datetime | None,
             ends_at: datetime | None, now: datetime) -> AwayView:
    """Set (or replace) the person's away period and deputy; the caller commits."""
    target = _target(session, actor, user_id)
    errors: dict[str, str] = {}
    name = (deputy or "").strip()
    stand_in = (session.scalar(select(User).where(User.username == name, User.active.is_(True)))
                if name else None)
    if not name:
        errors["deputy"] = REQUIRED
    elif stand_in is None:
        errors["deputy"] = UNKNOWN
    elif stand_in.id == target.id:
        errors["deputy"] = SELF
    elif missing_roles(session, target, stand_in):
        errors["deputy"] = MISSING_ROLES
    if starts_at is None:
        errors["starts_at"] = REQUIRED
    if ends_at is None:
        errors["ends_at"] = REQUIRED
    elif ends_at <= now:
        errors["ends_at"] = PAST
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = NOT_AFTER_START
    elif starts_at is not None and ends_at - max(starts_at, now) > MAX_AWAY:
        errors["ends_at"] = TOO_LONG
    if errors:
        raise InvalidData("the away period was not set: " + ", ".join(f"{k} {v}" for k, v in errors.items()),
                          errors)
    assert stand_in is not None and starts_at is not None and ends_at is not None
    period = session.scalar(select(AwayPeriod).where(AwayPeriod.user_id == target.id))
    if period is None:
        period = AwayPeriod(user_id=target.id)
        session.add(period)
    period.deputy_id, period.starts_at, period.ends_at = stand_in.id, starts_at, ends_at
    period.set_by_id, period.set_at = actor.id, now
    session.flush()
    record_change(session, actor, "away_set", target.username,
                  {"deputy": stand_in.username, "starts_at": starts_at.isoformat(),
                   "ends_at": ends_at.isoformat()}, now)
    return _view(session, target, period, now)


def clear_away(session: Session, actor: User, user_id: int, now: datetime) -> bool:
    """End the person's away period now (back early, or changed plans); False if there was none."""
    target = _target(session, actor, user_id)
    period = session.scalar(select(AwayPeriod).where(AwayPeriod.user_id == target.id))
    if period is None or period.ends_at <= now:
        return False
    session.delete(period)
    session.flush()
    record_change(session, actor, "away_cleared", target.username, None, now)
    return True
