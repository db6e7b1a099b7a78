"""Which channels a notification leaves by, decided when it is written (in the command's
transaction): the recipient's switches per event kind and channel (`preferences`), the inbox entry
only if they keep that kind in their inbox, an e-mail if they want it and have an address, held to
the end of their quiet hours unless it is urgent. Group robots are routed beside this."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy.orm import Session

from engine.models import EMAIL, INBOX, MAIL

from .outbox import enqueue, outbox_row
from .preferences import choices_of

#: The facts of a notification row an outbox payload carries (and a row's `extra`, e.g. due_at, items).
_FACTS = ("kind", "instance_id", "task_id", "actor_id", "title", "business_key", "step", "message")


def route_notifications(session: Session, notifications: Sequence[dict[str, Any]],
                        outbox: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Queue the e-mails `notifications` (rows as `notify` builds them; an optional `extra` dict is
    added to the payload) call for, and return the rows the recipients keep in their inbox; with
    `outbox`, the e-mails' rows are added to it instead of inserted (`enqueue`)."""
    people = choices_of(session, {n["recipient_id"] for n in notifications})
    if not people:
        return []
    inbox: list[dict[str, Any]] = []
    mail: list[dict[str, Any]] = []
    for n in notifications:
        who = people.get(n["recipient_id"])
        if who is None:
            continue
        if who.wants(n["kind"], INBOX):
            inbox.append(n)
        if who.active and who.email and who.wants(n["kind"], MAIL):
            payload = {k: n.get(k) for k in _FACTS} | dict(n.get("extra") or {})
            mail.append(outbox_row(EMAIL, n["kind"], payload, n["created_at"], recipient_id=n["recipient_id"],
                                   instance_id=n.get("instance_id"),
                                   available_at=who.held_until(n["kind"], n["created_at"])))
    enqueue(session, mail, outbox)
    return inbox
