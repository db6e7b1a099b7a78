"""Flask extensions, created unbound and initialised by the app factory."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from engine import Engine
from engine.models import Base


class OneDatabaseSession(FlaskSession):
    """A request's session. OpsFlow has one database (no `__bind_key__`), so the engine is looked up
    once per session: Flask-SQLAlchemy's own lookup (the app's engines, then the statement's tables)
    ran for every statement, about a dozen times in a complete."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if bind is not None:
            return bind
        found = self.__dict__.get("_one_bind")
        if found is None:
            found = self._one_bind = super().get_bind(mapper, clause, **kwargs)
        return found


# The engine's plain declarative models are shared with Flask-SQLAlchemy: same registry, same tables.
db = SQLAlchemy(model_class=Base, session_options={"class_": OneDatabaseSession})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def engine() -> Engine:
    """The app's `Engine`, made once by the app factory: the clock, catalogue and limits it was given."""
    return current_app.extensions["opsflow"]
