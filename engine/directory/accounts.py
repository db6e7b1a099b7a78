"""Users, their roles and stores, passwords and API tokens.

Passwords are hashed with scrypt and a per-user salt; API tokens are random and only their
SHA-256 is stored, so a database dump yields neither.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.models import ApiToken, RoleAssignment, Store, User

from .signed_in import loaded_user, user_rows

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


_DUMMY_HASH = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class RoleSpec:
    role: str
    store_code: str | None = None
    region: str | None = None


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password or "")  # same work whether or not the user exists
        return None
    return user if verify_password(user.password_hash, password or "") else None


def insert_user_unchecked(session: Session, username: str, password: str | None, *, display_name: str = "",
                          roles: Iterable[RoleSpec] = (), now: datetime, email: str | None = None,
                          password_hash: str | None = None, is_demo: bool = False) -> User:
    """Insert a user without the directory's rules or an administrator's audit trail: for demo data,
    benchmarks and tests only. People are created by `people.create_user`, which checks both."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise InvalidData("a username of 1 to 64 characters is required", {"username": "required"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidData(f"user {username!r} exists", {"username": "already taken"})
    if password_hash is None:
        if not password or len(password) < 6:
            raise InvalidData("the password needs at least 6 characters",
                              {"password": "at least 6 characters"})
        password_hash = hash_password(password)
    user = User(username=username, display_name=display_name or username, email=email,
                password_hash=password_hash, created_at=now, is_demo=is_demo)
    user.roles = [RoleAssignment(role=r.role, store_code=r.store_code, region=r.region) for r in roles]
    session.add(user)
    session.flush()
    return user


def upsert_store(session: Session, code: str, name: str, *, region: str, kind: str = "direct",
                 city: str = "", status: str = "open", name_en: str = "", address: str = "",
                 owner: str | None = None) -> Store:
    store = session.get(Store, code)
    if store is None:
        store = Store(code=code)
        session.add(store)
    store.name, store.name_en, store.region, store.kind, store.city, store.status, store.address = (
        name, name_en, region, kind, city, status, address)
    store.owner = owner or None
    return store


def issue_token(session: Session, user: User, now: datetime, hours: float = 12, *,
                token: str | None = None) -> str:
    """A bearer token for `user`; `token` fixes its value (the demo's documented client token)."""
    token = token or secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                         created_at=now, expires_at=now + timedelta(hours=hours)))
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active user a live token belongs to, with their roles: one query for what every API
    request needs before its permission checks (no lazy loads after it)."""
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    return loaded_user(session, _USER_OF_TOKEN, {"token_hash": digest, "now": now})


_TOKEN = ApiToken.__table__
_USER_OF_TOKEN = user_rows(_TOKEN, _TOKEN.c.user_id == User.__table__.c.id,
                           _TOKEN.c.token_hash == bindparam("token_hash"),
                           _TOKEN.c.expires_at > bindparam("now"),
                           User.__table__.c.active.is_(True))
