"""Retiring a process (no new cases, by hand, API or schedule; the running ones go on) and putting
it back in service: administrators only, each an audited change.

Retiring keeps the process's versions and cases as they are: a retired process's cases still run,
are migrated, and show on every list; only the start page hides it, and a start (an old link, the
API, a schedule) is refused with `ProcessRetired`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import record_change, require_admin
from engine.errors import Conflict, NotFound
from engine.models import ProcessDefinition, User


class ProcessRetired(Conflict):
    """The process was retired: it starts no new cases until an administrator re-enables it."""

    code = "process_retired"


def retired_refusal(process_key: str) -> ProcessRetired:
    return ProcessRetired(f"process {process_key} is retired and starts no new cases")


def _definition(session: Session, process_key: str) -> ProcessDefinition:
    found = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == process_key))
    if found is None:
        raise NotFound(f"no process {process_key!r} is deployed")
    return found


def is_retired(session: Session, process_key: str) -> bool:
    return session.scalar(select(ProcessDefinition.retired_at).where(
        ProcessDefinition.key == process_key)) is not None


def refuse_retired(session: Session, process_key: str) -> None:
    """ProcessRetired when the process is retired: every way of starting a case asks this."""
    if is_retired(session, process_key):
        raise retired_refusal(process_key)


def retire_process(session: Session, user: User, process_key: str, now: datetime) -> None:
    """Retire the process (Conflict if it is already retired)."""
    require_admin(user)
    definition = _definition(session, process_key)
    if definition.retired_at is not None:
        raise Conflict(f"process {process_key} is already retired")
    definition.retired_at, definition.retired_by = now, user.username
    record_change(session, user, "process_retired", process_key, now=now)
    session.flush()


def enable_process(session: Session, user: User, process_key: str, now: datetime) -> None:
    """Put a retired process back in service (Conflict if it is not retired)."""
    require_admin(user)
    definition = _definition(session, process_key)
    if definition.retired_at is None:
        raise Conflict(f"process {process_key} is not retired")
    before = definition.retired_at
    definition.retired_at, definition.retired_by = None, None
    record_change(session, user, "process_enabled", process_key,
                  {"retired_at": before.isoformat()}, now=now)
    session.flush()
