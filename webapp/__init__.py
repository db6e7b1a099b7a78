"""The OpsFlow web app: the employee UI and the JSON API over the engine."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, session
from flask_login import current_user

from config import business_zone, connector_settings, load_config
from engine import Engine, system_clock
from engine.db import configure_sqlite, engine_options, ping_when_idle
from engine.sandbox import ScriptLimits

from . import (
    health,
    metrics,
    request_log,
    request_transactions,
    security_headers,
    strict_request,
    ui,
    web_sessions,
)
from .errors import register_error_handlers
from .extensions import babel, csrf, db, login_manager


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    """Config class, then environment variables (inside load_config), then the caller's overrides."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(config_name))
    app.config.update(overrides)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    pool = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                          recycle_seconds=int(app.config["DB_POOL_RECYCLE_SECONDS"]))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**pool, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")
    zone = business_zone(app.config)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", zone.key)

    db.init_app(app)
    request_transactions.init_app(app)
    metrics.init_app(app)  # first: its timer starts before, and stops after, every other hook
    request_log.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.session_interface = web_sessions.CookieSessions()
    login_manager.login_view = "auth.login"
    babel.init_app(app, locale_selector=_locale, timezone_selector=_timezone)
    with app.app_context():
        configure_sqlite(db.engine)
        if app.config["DB_POOL_PRE_PING"]:
            ping_when_idle(db.engine, float(app.config["DB_POOL_PING_IDLE_SECONDS"]))

    strict_request.init_app(app)  # before the blueprints: their <int:...> rules take its converter
    from workflows.catalogue import catalogue
    limits = ScriptLimits(seconds=app.config["SCRIPT_SECONDS"],
                          memory=app.config["SCRIPT_MEMORY_MB"] * 2 ** 20)
    app.extensions["opsflow"] = Engine(clock=app.config.get("CLOCK") or system_clock, catalogue=catalogue(),
                                       script_limits=limits, max_case_bytes=app.config["CASE_DATA_MAX_BYTES"],
                                       zone=zone, connectors=connector_settings(app.config))

    ui.init_app(app)
    from . import api, auth, tasks
    app.register_blueprint(auth.bp)
    auth.trust_proxies(app)
    app.register_blueprint(tasks.bp)
    from . import account, attachments, processes
    app.register_blueprint(processes.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(account.bp)
    from . import admin, cases, dashboard, inbox
    app.register_blueprint(cases.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.docs_bp)
    csrf.exempt(api.bp)
    register_error_handlers(app)
    security_headers.init_app(app)
    health.init_app(app)
    from . import model_errors
    model_errors.init_app(app)
    return app


def _locale() -> str:
    """The person's setting, else the language they chose this session, else the default; an API
    client's `Accept-Language` wins (a browser always sends one, so pages go by the setting alone)."""
    languages = current_app.config["LANGUAGES"]
    if request.path.startswith("/api/v1/") and request.headers.get("Accept-Language"):
        asked = request.accept_languages.best_match(languages)
        if asked:
            return str(asked)
    chosen = getattr(current_user, "locale", None) if current_user and current_user.is_authenticated else None
    if chosen in languages:
        return chosen
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
