"""The supervisor dashboard: where work piles up, where time goes, how steps keep their due times."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import routes  # noqa: E402,F401  (routes register themselves on bp)
