"""抄送: letting colleagues follow a case, read-only.

A model step may cc people when it is completed (the user task's `cc` property: a comma list of
`role:<role>` entries, meaning every active holder of that role in the case's scope, and
usernames); anyone who takes part in a case (its starter, who holds or held one of its steps, its
supervisors) may cc colleagues by hand with a note. Each cc'd person gets one `case_cc` row per
case: it lets them see that case (`engine.access.visibility`) and lists it in their cc list,
unread until they open the case.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access.holders import holders_in_scope, took_part
from engine.access.visibility import visible_case
from engine.bpmn.specs import task_property
from engine.errors import InvalidData, PermissionDenied
from engine.models import CaseCc, User

from .case_rows import CaseRow
from .steps import record, store
from .sync import TaskChanges

if TYPE_CHECKING:
    from .engine import Engine

#: The user-task property naming whom a step cc's when it is completed.
CC_PROPERTY = "cc"
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
    names = _add(session, case.id, people, now, note=note, by=user)
    record(session, case, "case_cc", user, now, message=note, data={"to": names})
    store(session, case, TaskChanges(), now=now, with_state=False)
    return names


def cc_on_completion(session: Session, case: CaseRow, task_spec: Any, user: User, now: datetime) -> None:
    """The cc a model step makes as `user` completes it (nothing when the step names none). Names
    that resolve to nobody are left out: a model's cc never stops a completion."""
    entries = [e.strip() for e in (task_property(task_spec, CC_PROPERTY) or "").split(",") if e.strip()]
    if not entries:
        return
    people: dict[int, User] = {}
    for entry in entries:
        if entry.startswith("role:"):
            found = holders_in_scope(session, entry[len("role:"):].strip(), case)
        else:
            found = list(session.scalars(select(User).where(User.username == entry, User.active.is_(True))))
        people.update((p.id, p) for p in found if p.id != user.id)
    if people:
        names = _add(session, case.id, list(people.values()), now, element=task_spec.bpmn_id)
        record(session, case, "case_cc", None, now, element=task_spec.bpmn_id, data={"to": names})


def mark_cc_read(session: Session, user: User, instance_id: int, now: datetime) -> bool:
    """Mark the case read in `user`'s cc list (they have opened it); whether it was unread."""
    done = session.execute(update(CaseCc).where(CaseCc.instance_id == instance_id, CaseCc.user_id == user.id,
                                                CaseCc.read_at.is_(None)).values(read_at=now))
    return bool(getattr(done, "rowcount", 0))


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


def _add(session: Session, instance_id: int, people: Iterable[User], now: datetime, *, note: str = "",
         by: User | None = None, element: str | None = None) -> list[str]:
    """A cc row for each person; one already cc'd is cc'd afresh (unread again, the newest note)."""
    people = list(people)
    existing = {c.user_id: c for c in session.scalars(select(CaseCc).where(
        CaseCc.instance_id == instance_id, CaseCc.user_id.in_([p.id for p in people])))}
    for person in people:
        row = existing.get(person.id)
        if row is None:
            session.add(CaseCc(instance_id=instance_id, user_id=person.id, by_id=by.id if by else None,
                               element_id=element, note=note, created_at=now))
        else:
            row.by_id, row.element_id, row.note = (by.id if by else None), element, note
            row.created_at, row.read_at = now, None
    session.flush()
    return [p.username for p in people]
