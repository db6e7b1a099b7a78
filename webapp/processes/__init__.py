"""Starting a case: the processes my roles may start, each with its start form."""
from flask import Blueprint

bp = Blueprint("processes", __name__)

from . import routes  # noqa: E402,F401
