"""Flask extensions, created unbound and initialised by the app factory."""
from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.models import Base

# The engine's models are mapped on engine.models.Base; Flask-SQLAlchemy shares its metadata (passing
# `model_class=Base` makes it copy Base's registry, which SQLAlchemy 2.1 refuses).
db = SQLAlchemy(metadata=Base.metadata)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
