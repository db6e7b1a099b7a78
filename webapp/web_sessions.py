"""Browser sessions: Flask's signed cookie names a `web_session` row, and every request checks it is live.

Flask-Login alone trusts any cookie it signed; the row (engine/directory/web_sessions.py) is what logout, a
password reset and a deactivation delete, so a copy of the cookie dies with it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request, current_app, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import login_user, logout_user

from engine.directory import end_web_session, open_web_session, user_for_web_session
from engine.models import User

from .extensions import db, engine, login_manager

SESSION_TOKEN = "web_session"


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, except for an API request that brings a bearer token: the token is its
    credential, so it gets Flask's empty, read-only null session (no cookie verified, none set) and
    Flask-Login finds nobody in it. Other requests (pages, the API docs, `/api/v1/login`) are as before."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        bearer = request.headers.get("Authorization", "")[:7].lower() == "bearer "
        if bearer and request.path.startswith("/api/v1/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    token = session.get(SESSION_TOKEN)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    return user_for_web_session(db.session, int(user_id), token, engine().clock())


def _open(user: User) -> None:
    lifetime = timedelta(hours=current_app.config["WEB_SESSION_HOURS"])
    session[SESSION_TOKEN] = open_web_session(db.session, user, engine().clock(), lifetime)


def sign_in(user: User) -> None:
    """Start a fresh session for `user`, ending the one this browser had: nothing chosen before it,
    nor a copy of the old cookie, carries over. The caller commits."""
    previous = session.get(SESSION_TOKEN)
    if isinstance(previous, str):
        end_web_session(db.session, previous)
    session.clear()
    login_user(user)
    _open(user)


def sign_out() -> None:
    """End this browser's session only; the person's other devices stay signed in. The caller commits."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        end_web_session(db.session, token)
    logout_user()
    session.clear()


def keep_signed_in(user: User) -> None:
    """After every session of `user` was ended by a change they made themselves (resetting their own
    password), give this browser a new one: as in Django, the one who made the change stays signed in
    and every other device is signed out. The caller commits."""
    _open(user)
