"""My tasks: the list of work that is mine or that I may claim."""
from flask import Blueprint

bp = Blueprint("tasks", __name__)

from . import routes  # noqa: E402,F401
