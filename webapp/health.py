"""Is the database there? `GET /healthz` asks it, and a request that finds it gone or busy answers
503 with Retry-After instead of a 500.

Only errors that say the database cannot serve now count: no connection (refused, closed, reset),
SQLite busy or locked after its timeout or unable to open or write its file, PostgreSQL's connection,
resource and operator-intervention classes and lock timeouts, and a full connection pool. A SQL
mistake (SQLite reports those as OperationalError too) stays a 500, which it is.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, make_response
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .errors import error_response
from .extensions import db, login_manager

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_SECONDS = 15
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL",
                       "SQLITE_READONLY", "SQLITE_NOMEM", "SQLITE_PROTOCOL")
# connection exception, insufficient resources, operator intervention, system error; lock not available
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
_POSTGRES_UNAVAILABLE = ("55P03",)


def database_unavailable(exc: BaseException) -> bool:
    """Does this error mean the database cannot serve right now (so that trying again later helps)?"""
    if isinstance(exc, (DisconnectionError, PoolTimeout)):
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = exc.orig
    if type(orig).__module__.startswith("sqlite3"):
        return (getattr(orig, "sqlite_errorname", None) or "").startswith(_SQLITE_UNAVAILABLE)
    state = getattr(orig, "sqlstate", None)
    if state is None:  # the driver's own: refused, closed, lost before the server answered
        return True
    return state[:2] in _POSTGRES_UNAVAILABLE_CLASSES or state in _POSTGRES_UNAVAILABLE


def retry_after() -> str:
    return str(current_app.config.get("DATABASE_RETRY_AFTER_SECONDS", DEFAULT_RETRY_AFTER_SECONDS))


def _forget_transaction() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the database answers `SELECT 1`; 503 with Retry-After when it cannot."""
    headers = {"Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        if not database_unavailable(exc):
            raise
        _forget_transaction()
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503, \
            {**headers, "Retry-After": retry_after()}
    _forget_transaction()
    return jsonify({"status": "ok", "database": "ok"}), 200, headers


def database_error(exc: SQLAlchemyError) -> Any:
    """503 + Retry-After for an unavailable database; any other database error stays a 500."""
    if not database_unavailable(exc):
        raise exc
    log.warning("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
    _forget_transaction()
    # the page must not ask the database who is logged in: it is the one thing that cannot answer
    g._login_user = login_manager.anonymous_user()
    response = make_response(error_response(
        "service_unavailable", _("The database is not available at the moment. Please try again shortly."),
        503))
    response.headers["Retry-After"] = retry_after()
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    for error in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(error, database_error)
