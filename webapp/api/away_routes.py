"""API routes of 代理 and 离职交接 (issue 12): my away period and deputy, an administrator's for
anyone, and handing every task a person holds to a colleague."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from engine import directory, runtime

from ..errors import BadRequest
from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    """An ISO 8601 datetime from the body (UTC without an offset); None when left out."""
    value = body_text(data, key).strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise BadRequest(_("'%(name)s' must be an ISO 8601 date-time.", name=key),
                         {key: _("must be an ISO 8601 date-time")}) from None


def _state(user_id: int) -> Any:
    away = directory.away_of(db.session, api_user(), user_id, engine().clock())
    candidates = directory.deputy_candidates(db.session, api_user(), user_id)
    return jsonify({"away": away.to_dict() if away else None,
                    "candidates": [{"username": u, "name": n} for u, n in candidates]})


def _set(user_id: int) -> Any:
    data = body()
    away = directory.set_away(db.session, api_user(), user_id, deputy=body_text(data, "deputy"),
                              starts_at=_moment(data, "starts_at"), ends_at=_moment(data, "ends_at"),
                              now=engine().clock())
    db.session.commit()
    return jsonify(away.to_dict())


def _clear(user_id: int) -> Any:
    cleared = directory.clear_away(db.session, api_user(), user_id, engine().clock())
    db.session.commit()
    return jsonify({"cleared": cleared})


@bp.get("/me/away")
@token_required
def my_away() -> Any:
    return _state(api_user().id)


@bp.put("/me/away")
@token_required
def set_my_away() -> Any:
    return _set(api_user().id)


@bp.delete("/me/away")
@token_required
def clear_my_away() -> Any:
    return _clear(api_user().id)


@bp.get("/users/<int:user_id>/away")
@token_required
def user_away(user_id: int) -> Any:
    return _state(user_id)


@bp.put("/users/<int:user_id>/away")
@token_required
def set_user_away(user_id: int) -> Any:
    return _set(user_id)


@bp.delete("/users/<int:user_id>/away")
@token_required
def clear_user_away(user_id: int) -> Any:
    return _clear(user_id)


@bp.post("/users/<int:user_id>/handover")
@token_required
def hand_over(user_id: int) -> Any:
    data = body()
    deactivate = data.get("deactivate", True)
    if not isinstance(deactivate, bool):
        raise BadRequest(_("'%(name)s' must be true or false.", name="deactivate"),
                         {"deactivate": _("must be true or false")})
    result = runtime.hand_over(engine(), db.session, api_user(), user_id, body_text(data, "to"),
                               body_text(data, "reason"), deactivate=deactivate)
    db.session.commit()
    return jsonify(result.to_dict())
