"""Loading the demo cast of DESIGN.md section 2 into a database (demo mode only).

Every demo user gets the password `demo123`; it is hashed once and shared, because the loader runs
on every fresh demo database and the users exist only there. Each has the address
`<username>@opsflow.example` (a domain reserved for examples: nothing sent there reaches anyone), so
the e-mail channel has somewhere to send in a demo.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.directory import RoleSpec, hash_password, insert_user_unchecked, issue_token, upsert_store

DEMO_PASSWORD = "demo123"
DEMO_MAIL_DOMAIN = "opsflow.example"


def demo_address(username: str) -> str:
    return f"{username}@{DEMO_MAIL_DOMAIN}"


def load_demo_data(session: Session, now: datetime) -> None:
    from . import demo, stores
    for s in stores.STORES:
        upsert_store(session, s.code, s.name_zh, region=s.region, kind=s.kind, city=s.city_zh,
                     status=s.status, name_en=s.name_en, address=s.address, owner=s.owner or None)
    shared_hash = hash_password(DEMO_PASSWORD)
    for u in demo.DEMO_USERS:
        insert_user_unchecked(session, u.username, None, display_name=u.display_name,
                    roles=[RoleSpec(g.role, g.store_code, g.region) for g in u.grants], now=now,
                    password_hash=shared_hash, is_demo=True, email=demo_address(u.username))
    for c in demo.DEMO_CLIENTS:  # other systems: no password to sign in with, a token known in advance
        client = insert_user_unchecked(session, c.username, None, display_name=c.display_name,
                                       roles=[RoleSpec("integration")], now=now, password_hash="!",
                                       is_demo=True)
        issue_token(session, client, now, demo.DEMO_CLIENT_TOKEN_HOURS, token=c.token)
    session.flush()
