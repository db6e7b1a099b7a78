"""借支冲抵: an expense claim may offset one of the claimant's paid advances (an `expense_claim` case
of type advance that ended `paid`), so finance pays the claim less the advance, and the claimant
returns what the advance had beyond the claim.

An advance is offset once: a claim that names it holds it while the claim runs and closes it when
the claim is paid; a claim rejected, withdrawn or terminated lets it go again. Which claim offset
which advance is recorded on the claim as an `advance_offset` event whose message is the advance's
business key, the one place the question is answered from; the advance's row is locked while a
start looks, so two claims started at once cannot both take it.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.models import COMPLETED, RUNNING, SUSPENDED, AuditEvent, ProcessInstance, User

PROCESS = "expense_claim"
FIELD = "offset_advance"


def _total(lines: Any) -> Decimal:
    return sum((Decimal(str(line.get("amount") or 0)) for line in lines or ()), Decimal(0))


def _refuse(message: str, code: str) -> InvalidData:
    return InvalidData(message, {FIELD: code})


def _taken(session: Session, keys: list[str], but: int | None = None) -> dict[str, str]:
    """The advances among `keys` a claim holds (running) or has closed (paid): key -> the claim's key."""
    claim = ProcessInstance
    rows = session.execute(select(AuditEvent.message, claim.business_key).join(
        claim, AuditEvent.instance_id == claim.id).where(
        AuditEvent.event_type == "advance_offset", AuditEvent.message.in_(keys), claim.id != (but or 0),
        or_(claim.status.in_((RUNNING, SUSPENDED)), claim.outcome == "paid"))).all()
    return {advance: str(by) for advance, by in rows}


def open_advances(session: Session, user: User) -> list[tuple[str, float, str]]:
    """The person's paid advances no claim holds or has closed, oldest first: (business key, amount,
    purpose), for the claim form to pick from."""
    case = ProcessInstance
    rows = session.execute(select(case.business_key, AuditEvent.data).join(
        AuditEvent, AuditEvent.instance_id == case.id).where(
        case.process_key == PROCESS, case.started_by_id == user.id, case.status == COMPLETED,
        case.outcome == "paid", AuditEvent.event_type == "started").order_by(case.id)).all()
    advances = [(str(key), data or {}) for key, data in rows if (data or {}).get("claim_type") == "advance"]
    taken = _taken(session, [key for key, _ in advances])
    return [(key, float(_total(data.get("claim_lines"))), str(data.get("purpose") or ""))
            for key, data in advances if key not in taken]


def offset_advance(session: Session, user: User, case_id: int, data: Mapping[str, Any],
                   now: datetime) -> dict[str, Any]:
    """Check the advance a new claim offsets and give the claim the amounts (none: zeros)."""
    key = data.get(FIELD) or ""
    if not key:
        return {FIELD: "", "advance_amount": 0, "offset_amount": 0}
    if data.get("claim_type") != "expense":
        raise _refuse("only an expense claim offsets an advance", "only an expense claim offsets an advance")
    case = ProcessInstance
    advance = session.execute(
        select(case.id, case.started_by_id, case.status, case.outcome)
        .where(case.process_key == PROCESS, case.business_key == key).with_for_update()).first()
    if advance is None or advance.started_by_id != user.id:
        raise _refuse(f"advance {key} is not one of yours", "not an advance of yours")
    started = session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == advance.id, AuditEvent.event_type == "started")).first()
    facts = (started.data if started else None) or {}
    if facts.get("claim_type") != "advance":
        raise _refuse(f"{key} is not an advance", "not an advance of yours")
    if advance.status != COMPLETED or advance.outcome != "paid":
        raise _refuse(f"advance {key} has not been paid", "advance not paid")
    taken = _taken(session, [key], but=case_id)
    if taken:
        raise _refuse(f"advance {key} is already offset by {taken[key]}", "advance already offset")
    amount = _total(facts.get("claim_lines"))
    offset = min(amount, _total(data.get("claim_lines")))
    amounts = {"advance_amount": float(amount), "offset_amount": float(offset)}
    session.add(AuditEvent(instance_id=case_id, event_type="advance_offset", actor_id=user.id, at=now,
                           message=key, data={"advance_instance_id": advance.id, **amounts}))
    return {FIELD: key, **amounts}
