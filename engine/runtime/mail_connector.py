"""The `mail` connector: an e-mail a model writes from the case data (to, subject, body), sent like
every other e-mail: through the outbox, written in the step's transaction, sent by the delivery
worker over SMTP with its retries (a rolled-back step sends nothing)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.delivery.outbox import MODEL_MAIL, enqueue, outbox_row
from engine.errors import ProcessError
from engine.models import EMAIL, User

MAX_RECIPIENTS = 50
MAX_SUBJECT = 200
MAX_BODY = 20_000


def send_mail(session: Session, instance_id: int, params: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Queue the e-mail to each recipient (usernames of active people with an address); what was sent."""
    to = params.get("to")
    names = [to] if isinstance(to, str) else to
    if not isinstance(names, list) or not names or len(names) > MAX_RECIPIENTS or \
            not all(isinstance(n, str) and n.strip() for n in names):
        raise _refused(f"'to' must be a username or a list of 1 to {MAX_RECIPIENTS} usernames")
    subject, body = params.get("subject"), params.get("body")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise _refused(f"'subject' must be text of 1 to {MAX_SUBJECT} characters")
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise _refused(f"'body' must be text of at most {MAX_BODY} characters")
    wanted = [n.strip() for n in names]
    people = {u.username: u for u in session.scalars(select(User).where(User.username.in_(wanted),
                                                                         User.active.is_(True)))}
    unknown = sorted(set(wanted) - {name for name, user in people.items() if user.email})
    if unknown:
        raise _refused(f"no active user with an e-mail address: {', '.join(unknown)[:200]}")
    enqueue(session, [outbox_row(EMAIL, MODEL_MAIL, {"subject": subject.strip(), "body": body}, now,
                                 recipient_id=people[name].id, instance_id=instance_id)
                      for name in dict.fromkeys(wanted)])
    return {"sent_to": list(dict.fromkeys(wanted))}


def _refused(reason: str) -> ProcessError:
    """The model asked for a mail that cannot be sent: the service task fails (an incident)."""
    return ProcessError(f"the mail connector: {reason}", error_type="ConnectorError", reason=reason)
