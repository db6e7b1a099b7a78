"""The `case_cc` rows: a cc by hand (`cc.cc_case`) or by a model step as it is completed (the user
task's `cc` property: a comma list of `role:<role>` entries, meaning every active holder of the role
in the case's scope, and usernames), and marking one read when its person opens the case."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access.holders import holders_in_scope
from engine.bpmn.specs import task_property
from engine.models import CaseCc, User

from .case_rows import CaseRow
from .steps import record

#: The user-task property naming whom a step cc's when it is completed.
CC_PROPERTY = "cc"


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
        names = add_cc(session, case.id, list(people.values()), now, element=task_spec.bpmn_id)
        record(session, case, "case_cc", None, now, element=task_spec.bpmn_id, data={"to": names})


def mark_cc_read(session: Session, user: User, instance_id: int, now: datetime) -> bool:
    """Mark the case read in `user`'s cc list (they have opened it); whether it was unread."""
    done = session.execute(update(CaseCc).where(CaseCc.instance_id == instance_id, CaseCc.user_id == user.id,
                                                CaseCc.read_at.is_(None)).values(read_at=now))
    return bool(getattr(done, "rowcount", 0))


def add_cc(session: Session, instance_id: int, people: Iterable[User], now: datetime, *, note: str = "",
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
