"""Signed-in browsers kept on the server, so that logging out, a password reset or a deactivation ends them.

A signed cookie stays valid until it expires, and a copy taken before logging out would still
work. So the cookie carries a random token whose SHA-256 is a `web_session` row (a database dump
yields no usable session, as with API tokens), and ending a session deletes its row. Logging out
ends this browser's session only, as Django, GitLab and Camunda's web apps do: leaving the office
PC must not sign the person out of their phone. A password reset or a deactivation ends every
session of the person, API tokens included, because either usually follows a leak or a departure.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.orm import Session

from engine.models import ApiToken, User, WebSession

from .signed_in import loaded_user, user_rows


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_web_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session for `user`; returns the token for the cookie. Expired sessions are dropped here,
    at login, so the table holds only live ones without a cleaning job."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                           expires_at=now + lifetime))
    return token


def user_for_web_session(session: Session, user_id: int, token: str, now: datetime) -> User | None:
    """The active user whose live session `token` names, or None (ended, expired, another user's); with
    their roles in the same query, since every page's access checks read them (no lazy load after it)."""
    params = {"token_hash": _digest(token), "user_id": user_id, "now": now}
    user = loaded_user(session, _USER_OF_SESSION, params)
    return user if user is not None and user.active else None


_SESSION = WebSession.__table__
_USER_OF_SESSION = user_rows(_SESSION, _SESSION.c.user_id == User.__table__.c.id,
                             _SESSION.c.token_hash == bindparam("token_hash"),
                             _SESSION.c.user_id == bindparam("user_id"),
                             _SESSION.c.expires_at > bindparam("now"))


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def end_every_session(session: Session, user_id: int) -> None:
    """Sign the person out everywhere: every browser and every API token."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
