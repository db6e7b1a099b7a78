"""The `admin` blueprint, which its route modules register their views on."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user, login_required

from engine.access import is_admin, require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only() -> Any:
    require_admin(current_user)
    return None


@bp.app_context_processor
def _menu() -> dict[str, Any]:
    """`shows_admin()` for the menu: the entry is there only for admins."""
    def shows_admin() -> bool:
        return is_admin(current_user)
    return {"shows_admin": shows_admin}
