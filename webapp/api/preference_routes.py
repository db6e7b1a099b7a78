"""API routes of my notification preferences (issue 12): which events reach me by which channel,
and my quiet hours."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import delivery

from ..extensions import db
from .auth import api_user, token_required
from .blueprint import bp
from .params import body


@bp.get("/me/notification-preferences")
@token_required
def notification_preferences() -> Any:
    return jsonify(delivery.notification_preferences(db.session, api_user()).to_dict())


@bp.put("/me/notification-preferences")
@token_required
def notification_preferences_update() -> Any:
    saved = delivery.save_notification_preferences(db.session, api_user(), body())
    db.session.commit()
    return jsonify(saved.to_dict())
