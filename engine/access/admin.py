"""Who may administer OpsFlow (holders of the `admin` role, and nobody else), and the trail their
changes leave.

Admin is not a task role (no lane uses it); it deploys models and manages people and stores. Every
engine function behind the admin pages asks `require_admin` itself, so the rule holds for the CLI
and any future API as much as for the web pages. What an administrator changes is an audit event
like any other state change, with no case: who, when, what and the values before and after.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.clock import system_clock
from engine.errors import PermissionDenied
from engine.models import AuditEvent, User
from engine.views import EventView

from .grants import role_keys

#: The audit events of administrators' changes, newest kinds last.
ADMIN_EVENTS = ("user_created", "user_changed", "password_reset", "store_created", "store_changed",
                "model_deployed", "away_set", "away_cleared", "tasks_handed_over",
                "robot_created", "robot_changed", "robot_deleted",
                "schedule_paused", "schedule_resumed", "process_retired", "process_enabled",
                "model_draft_saved", "model_draft_published", "model_draft_discarded")

ADMIN_ROLE = "admin"
#: The role of other systems' API clients (a logistics system reporting arrival): they deliver
#: messages to waiting cases and nothing else a person does.
INTEGRATION_ROLE = "integration"


def is_admin(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and ADMIN_ROLE in role_keys(user)


def may_send_messages(user: User) -> bool:
    """Integration clients deliver messages from other systems; administrators may too (to test a model)."""
    keys = role_keys(user) if getattr(user, "is_authenticated", False) else set()
    return bool(keys & {INTEGRATION_ROLE, ADMIN_ROLE})


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied(f"{getattr(user, 'username', 'this user')} is not an administrator")


def record_change(session: Session, actor: User | None, event_type: str, subject: str,
                  data: dict[str, Any] | None = None, now: datetime | None = None) -> None:
    """Add one administrator's change to the audit trail; `subject` names what changed. No actor:
    done at the server's console (`opsflow add-user`, `opsflow set-password`)."""
    session.add(AuditEvent(instance_id=None, event_type=event_type, actor_id=actor.id if actor else None,
                           at=now or system_clock(), message=subject, data=data))


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [before, after]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def recent_changes(session: Session, actor: User, limit: int = 20) -> list[EventView]:
    require_admin(actor)
    rows = session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                           .where(AuditEvent.instance_id.is_(None), AuditEvent.event_type.in_(ADMIN_EVENTS))
                           .order_by(AuditEvent.id.desc()).limit(limit))
    return [EventView(id=e.id, event_type=e.event_type, at=e.at, actor=e.actor.username if e.actor else None,
                      element_id=None, message=e.message, data=e.data) for e in rows]
