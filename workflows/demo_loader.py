"""Loading the demo cast of DESIGN.md section 2 into a database (demo mode only).

Every demo user gets the password `demo123`; it is hashed once and shared, because the loader runs
on every fresh demo database and the users exist only there.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts import RoleSpec, create_user, hash_password, upsert_store

DEMO_PASSWORD = "demo123"


def _scope(role: Any) -> RoleSpec:
    if isinstance(role, RoleSpec):
        return role
    if isinstance(role, (tuple, list)):
        key, scope = (list(role) + [None])[:2]
    else:
        key = getattr(role, "role", None) or getattr(role, "key", None)
        scope = getattr(role, "store_code", None) or getattr(role, "region", None) or getattr(role, "scope", None)
    if scope and len(scope) <= 5 and scope.isalpha() and scope.isupper() and not any(c.isdigit() for c in scope):
        return RoleSpec(key, region=scope)
    return RoleSpec(key, store_code=scope) if scope else RoleSpec(key)


def load_demo_data(session: Session, now: datetime) -> None:
    from . import demo, stores
    for s in stores.STORES:
        upsert_store(session, s.code, s.name, region=s.region, kind=s.kind, city=getattr(s, "city", ""),
                     status=s.status, name_en=getattr(s, "name_en", ""))
    shared_hash = hash_password(DEMO_PASSWORD)
    for u in demo.DEMO_USERS:
        create_user(session, u.username, None, display_name=getattr(u, "display_name", u.username),
                    roles=[_scope(r) for r in u.roles], now=now, password_hash=shared_hash, is_demo=True)
    session.flush()
