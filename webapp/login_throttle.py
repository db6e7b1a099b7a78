"""The login throttle (engine/directory/login_throttle.py) as the login page and the API's login use it:
the app's rules, the client's address (see auth/proxies.py) and the engine's clock."""
from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from flask import current_app, render_template, request
from flask_babel import ngettext

from engine.directory import LoginOutcome, ThrottleRules, try_login

from .errors import error_response, wants_json
from .extensions import db, engine

_SECONDS = {"first_lock": "LOGIN_THROTTLE_LOCK_SECONDS",
            "longest_lock": "LOGIN_THROTTLE_MAX_LOCK_SECONDS",
            "address_window": "LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS",
            "memory": "LOGIN_THROTTLE_MEMORY_SECONDS"}


def throttle_rules() -> ThrottleRules:
    """The throttle's rules from the app's settings (config.py)."""
    config = current_app.config
    return ThrottleRules(account_attempts=config["LOGIN_THROTTLE_ATTEMPTS"],
                         address_attempts=config["LOGIN_THROTTLE_ADDRESS_ATTEMPTS"],
                         trust=timedelta(days=config["LOGIN_TRUST_DAYS"]),
                         **{field: timedelta(seconds=config[key]) for field, key in _SECONDS.items()})


def attempt_login(username: str, password: str) -> LoginOutcome:
    """Try the password unless the throttle holds the attempt back. A failure is committed at once:
    the refusal that follows rolls the request back, and the failure must still count."""
    outcome = try_login(db.session, throttle_rules(), username, password, request.remote_addr or "",
                        engine().clock())
    if outcome.user is None and not outcome.retry_after:
        db.session.commit()
    return outcome


def too_many_attempts(seconds: int) -> Any:
    """The 429 answer, saying in the person's language when to try again (and in Retry-After)."""
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext("Too many failed attempts. Please try again in %(num)d minute.",
                       "Too many failed attempts. Please try again in %(num)d minutes.", minutes)
    if wants_json():
        response, status = error_response("too_many_requests", message, 429)
    else:
        response, status = render_template("auth/login.html", error=message), 429
    return response, status, {"Retry-After": str(seconds)}
