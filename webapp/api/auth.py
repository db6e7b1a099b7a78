"""Bearer-token authentication for the JSON API."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import g, request
from flask_babel import gettext as _

from engine.directory import user_for_token
from engine.models import User

from ..errors import Unauthorized
from ..extensions import db, engine


def api_user() -> User:
    return g.api_user


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(_("Send 'Authorization: Bearer <token>' (POST /api/v1/login gives one)."))
        user = user_for_token(db.session(), token.strip(), engine().clock())
        if user is None:
            raise Unauthorized(_("The token is unknown or expired; log in again."))
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
