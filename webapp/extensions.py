"""Flask extensions, created unbound and initialised by the app factory."""
from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine import Engine
from engine.models import Base

# The engine's plain declarative models are shared with Flask-SQLAlchemy: same registry, same tables.
db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def engine() -> Engine:
    """The app's `Engine`, made once by the app factory: the clock, catalogue and limits it was given."""
    return current_app.extensions["opsflow"]
