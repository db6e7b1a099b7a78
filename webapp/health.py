"""Is the database there? `GET /healthz` asks it, and a request that finds it gone or busy answers
503 with Retry-After instead of a 500. `GET /readyz` asks what a load balancer or an orchestrator
needs before sending work: the database answers quickly, its schema is the code's, and a background
runner (timers, scheduled starts, the outbox) beat recently. Neither needs a login; neither names a
host, a table or a person.

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

from engine import schema
from engine.queries import heartbeats

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


@bp.get("/readyz")
def readyz() -> Any:
    """200 with every check `ok`; 503 with Retry-After naming the checks that failed. A check that
    cannot be asked after one failed (no database, no schema) is `skipped`."""
    checks: dict[str, Any] = {"database": "ok", "schema": "skipped", "runner": "skipped"}
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            timeout = int(current_app.config.get("READY_DATABASE_TIMEOUT_MS", 2000))
            db.session.execute(text(f"SET LOCAL statement_timeout = {timeout}"))
        db.session.execute(text("SELECT 1"))
        checks["schema"] = schema.schema_state(db.session.connection())
        if checks["schema"] == "ok":  # behind, the heartbeats' table may be missing
            checks["runner"], age = _runner_state(heartbeats(db.session))
            if age is not None:
                checks["runner_beat_seconds_ago"] = age
    except SQLAlchemyError as exc:
        log.warning("readiness: database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
        checks["database"] = "unavailable"
    _forget_transaction()
    failing = [name for name in ("database", "schema", "runner")
               if checks[name] not in ("ok", "starting", "skipped")]
    headers = {"Cache-Control": "no-store"}
    if failing:
        return jsonify({"status": "unavailable", "failing": failing, "checks": checks}), 503, \
            {**headers, "Retry-After": retry_after()}
    return jsonify({"status": "ok", "checks": checks}), 200, headers


def _runner_state(beats: list[Any]) -> tuple[str, int | None]:
    """`ok` when some runner beat within READY_HEARTBEAT_SECONDS; `starting` while this process is
    younger than READY_GRACE_SECONDS (its own runner, or the worker started with it, has not beaten
    yet); else `stale` (it stopped beating) or `none` (no runner ever beat)."""
    now = current_app.extensions["opsflow"].clock()
    age = int((now - beats[0].beat_at).total_seconds()) if beats else None
    if age is not None and age <= float(current_app.config.get("READY_HEARTBEAT_SECONDS", 60.0)):
        return "ok", age
    started = current_app.extensions["opsflow_started_at"]
    if (now - started).total_seconds() < float(current_app.config.get("READY_GRACE_SECONDS", 120.0)):
        return "starting", age
    return ("stale" if beats else "none"), age


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
    app.extensions["opsflow_started_at"] = app.extensions["opsflow"].clock()
    app.register_blueprint(bp)
    for error in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(error, database_error)
