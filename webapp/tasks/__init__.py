"""My tasks: the work that is mine or that I may claim, the task page with its form, my cases."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from . import routes, task_routes  # noqa: E402,F401
