"""The person's own settings: language (remembered on their user row) and time zone."""
from flask import Blueprint

bp = Blueprint("account", __name__)

from . import routes  # noqa: E402,F401
