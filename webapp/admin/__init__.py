"""The administrators' area: deployed models and their versions, users and their roles, stores.

Every view asks the engine's admin rule first (403 for everyone else); the engine functions behind
the pages ask it again, so the rule does not depend on the pages.
"""
from typing import Any

from flask import Blueprint
from flask_login import current_user, login_required

from engine.access import require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only() -> Any:
    require_admin(current_user)
    return None


from . import (  # noqa: E402,F401  (routes register themselves on bp)
    model_routes,
    people_routes,  # noqa: E402,F401
    routes,
)
