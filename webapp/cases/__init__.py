"""Supervisor monitoring of cases: the filtered case list with CSV export and bulk actions, and the
case page (live diagram, timeline, data, open steps and holders, supervisor actions)."""
from . import incident_routes, move_routes, routes  # noqa: F401  (routes register themselves on bp)
from .blueprint import bp  # noqa: F401
