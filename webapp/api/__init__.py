"""The JSON API under /api/v1, authenticated by bearer tokens from POST /api/v1/login."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401  (routes register themselves on bp)
from . import incident_routes  # noqa: E402,F401
