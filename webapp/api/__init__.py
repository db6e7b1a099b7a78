"""The JSON API under /api/v1, authenticated by bearer tokens from POST /api/v1/login."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import incident_routes, routes  # noqa: E402,F401  (routes register themselves on bp)
from .docs import docs_bp  # noqa: E402,F401  (the description on bp, its page on docs_bp)
