"""抄送: letting colleagues follow a case, read-only.

A model step may cc people when it is completed (`cc_rows.cc_on_completion`); anyone who takes
part in a case (its starter, who holds or held one of its steps, its supervisors) may cc
colleagues by hand with a note. Each cc'd person gets one `case_cc` row per
case: it lets them see that case (`engine.access.visibility`) and lists it in their cc list,
unread until they open the case.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.holders import took_part
from engine.access.visibility import visible_case
from engine.errors import InvalidData, PermissionDenied
from engine.models import User

from .cc_rows import add_cc
from .steps import record, store
from .sync import TaskChanges

if TYPE_CHECKING:
    from .engine import Engine

MAX_CC = 20
MAX_NOTE = 2000


def cc_case(engine: Engine, session: Session, instance_id: int, user: User, usernames: Sequence[str] | None,
            note: str | None = "") -> list[str]:
    """Cc named colleagues on a case by hand; returns the usernames now cc'd."""
    instance = visible_case(session, user, instance_id, rules=engine.supervision)
    if not took_part(session, user, instance, instance.started_by_id, rules=engine.supervision):
        raise PermissionDenied(f"{user.username} takes no part in case {instance_id}")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidData("the note is too long", {"note": f"at most {MAX_NOTE} characters"})
    people = _named_people(session, user, usernames)
    case = engine.case_row(session, instance_id)
    now = engine.clock()
    names = add_cc(session, case.id, people, now, note=note, by=user)
    record(session, case, "case_cc", user, now, message=note, data={"to": names})
    store(session, case, TaskChanges(), now=now, with_state=False)
    return names


def _named_people(session: Session, user: User, usernames: Sequence[str] | None) -> list[User]:
    if not isinstance(usernames, (list, tuple)) or not usernames:
        raise InvalidData("name at least one colleague", {"usernames": "required"})
    names = list(dict.fromkeys(n.strip() for n in usernames if isinstance(n, str) and n.strip()))
    if not names:
        raise InvalidData("name at least one colleague", {"usernames": "required"})
    if len(names) > MAX_CC:
        raise InvalidData("too many people", {"usernames": f"at most {MAX_CC}"})
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names),
                                                                     User.active.is_(True)))}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise InvalidData(f"unknown user {unknown[0]!r}", {"usernames": f"unknown user {unknown[0]}"})
    if user.username in found:
        raise InvalidData("you cannot cc yourself", {"usernames": "you cannot cc yourself"})
    return [found[n] for n in names]
