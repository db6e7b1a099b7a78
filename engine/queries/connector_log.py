"""The administrators' list of service tasks' connector calls (issue 14): which wait for their next
attempt and why the last one failed, which stopped their case, newest first; the case page shows
the incident, this list the calls still being retried, before any case stops."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import require_admin
from engine.errors import InvalidData
from engine.models import CALL_DONE, CALL_FAILED, CALL_PENDING, ConnectorCall, ProcessInstance, User
from engine.views import Page

from .task_lists import MAX_PER_PAGE

CALL_STATUSES = (CALL_PENDING, CALL_DONE, CALL_FAILED)


@dataclass(frozen=True)
class ConnectorCallEntry:
    id: int
    instance_id: int
    business_key: str | None
    title: str
    element_id: str
    connector: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "instance_id": self.instance_id, "business_key": self.business_key,
                "title": self.title, "element_id": self.element_id, "connector": self.connector,
                "status": self.status, "attempts": self.attempts,
                "next_attempt_at": self.next_attempt_at.isoformat(), "last_error": self.last_error,
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat()}


def connector_calls(session: Session, actor: User, *, status: str | None = None, page: int = 1,
                    per_page: int = 50) -> Page[ConnectorCallEntry]:
    require_admin(actor)
    errors = {}
    if status and status not in CALL_STATUSES:
        errors["status"] = f"one of {', '.join(CALL_STATUSES)}"
    if page < 1:
        errors["page"] = "must be 1 or more"
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
    if errors:
        raise InvalidData("invalid list parameters", errors)
    where = [ConnectorCall.status == status] if status else []
    total = session.scalar(select(func.count()).select_from(ConnectorCall).where(*where)) or 0
    rows = session.execute(
        select(ConnectorCall, ProcessInstance.business_key, ProcessInstance.title)
        .join(ProcessInstance, ProcessInstance.id == ConnectorCall.instance_id)
        .where(*where).order_by(ConnectorCall.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return Page([ConnectorCallEntry(c.id, c.instance_id, key, title, c.element_id, c.connector, c.status,
                                    c.attempts, c.next_attempt_at, c.last_error, c.created_at, c.updated_at)
                 for c, key, title in rows], total, page, per_page)
