"""Bearer-token authentication for the JSON API."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import current_app, g, request

from engine.accounts import user_for_token
from engine.models import User

from .. import engine
from ..auth.throttle import LoginThrottle
from ..errors import Unauthorized
from ..extensions import db


def api_user() -> User:
    return g.api_user


def login_throttle() -> LoginThrottle:
    """The app's password-guessing throttle, shared with the web login page."""
    app = current_app
    if "opsflow_throttle" not in app.extensions:
        app.extensions["opsflow_throttle"] = LoginThrottle(app.config["LOGIN_THROTTLE_ATTEMPTS"],
                                                           app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    return app.extensions["opsflow_throttle"]


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send 'Authorization: Bearer <token>' (POST /api/v1/login gives one)")
        user = user_for_token(db.session, token.strip(), engine().clock())
        if user is None:
            raise Unauthorized("the token is unknown or expired; log in again")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
