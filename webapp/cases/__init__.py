"""Supervisor monitoring of cases: the filtered case list with CSV export and bulk actions, and the
case page (live diagram, timeline, data, open steps and holders, supervisor actions)."""
from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import incident_routes, routes  # noqa: E402,F401  (routes register themselves on bp)
