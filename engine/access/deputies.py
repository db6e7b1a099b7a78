"""代理: whom a person stands in for while they are away, and what that lets the deputy do.

An away period (`AwayPeriod`) holds from its start (inclusive) to its end (exclusive). While it
holds, work that would be given to the person goes to their deputy instead, and the deputy sees and
may take the pool tasks the person could take, through the person's grants. A deputy stands in for
the person only: nobody stands in for a deputy's deputy, and an inactive deputy stands in for nobody.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from engine.models import AwayPeriod, RoleAssignment, User

from .grants import Grant, ScopedTask, can_act, grants_of, holds_role_for

_deputy = aliased(User)
#: A person by (id, username).
Person = tuple[int, str]
_AWAY, _ROLE, _USER = AwayPeriod.__table__.c, RoleAssignment.__table__.c, User.__table__.c
# Built once: the task lists ask it on every call (the index on deputy_id finds nothing, usually).
_REPRESENTED = (select(_ROLE.user_id, _USER.username, _ROLE.role, _ROLE.store_code, _ROLE.region)
                .select_from(AwayPeriod.__table__
                             .join(RoleAssignment.__table__, _ROLE.user_id == _AWAY.user_id)
                             .join(User.__table__, _USER.id == _AWAY.user_id))
                .where(_AWAY.deputy_id == bindparam("b_deputy"), _AWAY.starts_at <= bindparam("b_now"),
                       _AWAY.ends_at > bindparam("b_now"), _USER.active.is_(True))
                .order_by(_ROLE.user_id, _ROLE.id))


def deputies_now(session: Session, user_ids: Iterable[int], now: datetime) -> dict[int, tuple[int, str]]:
    """For each of `user_ids` away at `now` with an active deputy: the deputy's (id, username)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(select(AwayPeriod.user_id, _deputy.id, _deputy.username)
                           .join(_deputy, _deputy.id == AwayPeriod.deputy_id)
                           .where(AwayPeriod.user_id.in_(ids), _deputy.active.is_(True),
                                  AwayPeriod.starts_at <= now, AwayPeriod.ends_at > now))
    return {user_id: (deputy_id, username) for user_id, deputy_id, username in rows}


def represented_grants(session: Session, deputy: User, now: datetime) -> list[tuple[Person, Grant]]:
    """The grants of the people `deputy` stands in for at `now`, each with that person's (id,
    username): one indexed query, whatever the number of tasks a list then filters with them."""
    if not getattr(deputy, "active", False):
        return []
    rows = session.connection().execute(_REPRESENTED, {"b_deputy": deputy.id, "b_now": now})
    return [((user_id, name), Grant(role, store, region)) for user_id, name, role, store, region in rows]


def acting_grants(session: Session, user: User, now: datetime) -> list[Grant]:
    """The grants a person's pool (claimable tasks) is drawn from: their own, and those of the people
    they stand in for at `now`."""
    own = grants_of(user)
    return own + [g for _, g in represented_grants(session, user, now) if g not in own]


def stands_in_for(session: Session, user: User, task: ScopedTask, now: datetime) -> Person | None:
    """The away person (id, username) through whose grant `user` may take `task`; None when there is
    none (whether or not their own grants let them)."""
    for person, grant in represented_grants(session, user, now):
        if grant.covers(task.lane_role, task.store_code, task.region):
            return person
    return None


def may_act(session: Session, user: User, task: ScopedTask, now: datetime) -> bool:
    """`can_act`, or standing in for someone who could; the extra lookup only when `can_act` says no."""
    return can_act(user, task) or (task.assignee_id is None and stands_in_for(session, user, task, now)
                                   is not None)


def deputy_for(session: Session, person: User, task: ScopedTask | None, now: datetime) -> User | None:
    """The deputy who takes `task` instead of `person`, away at `now`, if the task is one either of
    them may do by role (the deputy acts in the person's scope); with no task, the deputy whoever
    they are (the caller checks)."""
    found = deputies_now(session, [person.id], now).get(person.id)
    deputy = session.get(User, found[0]) if found else None
    if deputy is None or task is None:
        return deputy
    return deputy if holds_role_for(deputy, task) or holds_role_for(person, task) else None


def standing_in_for(session: Session, deputy: User, now: datetime) -> list[tuple[str, str, datetime]]:
    """Whom `deputy` stands in for at `now`: (username, display name, until), for the task list's note."""
    rows = session.execute(select(User.username, User.display_name, AwayPeriod.ends_at)
                           .join(AwayPeriod, AwayPeriod.user_id == User.id)
                           .where(AwayPeriod.deputy_id == deputy.id, AwayPeriod.starts_at <= now,
                                  AwayPeriod.ends_at > now, User.active.is_(True))
                           .order_by(User.username))
    return [(username, display or username, until) for username, display, until in rows]
