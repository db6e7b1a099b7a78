"""What the start pages show: the processes a person may start, with their start forms, and the
stores they may start a case for. Plain functions with explicit arguments, never committing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from engine.access import grants_of
from engine.models import ProcessDefinition, Store, User
from workflows.advances import FIELD as ADVANCE_FIELD
from workflows.advances import open_advances

from ..ui.form_fields import Choice
from ..ui.names import store_name


@dataclass(frozen=True)
class StartPage:
    key: str
    name: str
    version: int
    form: dict[str, Any] | None


def startable(engine: Engine, session: Session, user: User) -> list[StartPage]:
    """The deployed processes this person's roles may start, with their start forms."""
    rows = session.scalars(select(ProcessDefinition).where(ProcessDefinition.latest_version > 0,
                                                           ProcessDefinition.retired_at.is_(None))
                           .order_by(ProcessDefinition.key)).all()
    pages = []
    for d in rows:
        if engine.may_start(session, user, d.key):
            version = engine.latest_version(session, d.key)
            form = engine.process(session, version.id).start_form()
            pages.append(StartPage(d.key, d.name, d.latest_version, form))
    return pages


def store_choices(engine: Engine, session: Session, user: User, process_key: str) -> list[Choice]:
    """The stores a person may pick when starting a case: all, or those their scoped roles cover,
    narrowed to the store status and kind the process needs (a store opening needs a planned store)."""
    policy = engine.policy(process_key, session)
    query = select(Store).order_by(Store.code)
    if policy.start_store_status:
        query = query.where(Store.status == policy.start_store_status)
    else:
        query = query.where(Store.status != "closed")
    if policy.start_store_kind:
        query = query.where(Store.kind == policy.start_store_kind)
    stores = session.scalars(query).all()
    starters = [g for g in grants_of(user) if policy.starter_roles is None or g.role in policy.starter_roles]
    if starters and all(g.store_code or g.region for g in starters):
        stores = [s for s in stores if any(g.covers(g.role, s.code, s.region) for g in starters)]
    return [Choice(s.code, s.code, f"{s.code} · {store_name(s.code) or s.name}",
                   fill=tuple((k, v) for k, v in (("store_name", s.name), ("city", s.city),
                                                  ("address", s.address)) if v))
            for s in stores]


def advance_choices(session: Session, user: User, form: dict[str, Any] | None) -> dict[str, list[Choice]]:
    """The person's open advances, for a start form with a field to offset one (an expense claim)."""
    if ADVANCE_FIELD not in ((form or {}).get("properties") or {}):
        return {}
    return {ADVANCE_FIELD: [Choice(key, key, f"{key} · ¥{amount:,.2f} · {purpose}")
                            for key, amount, purpose in open_advances(session, user)]}
