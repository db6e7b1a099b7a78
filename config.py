"""Configuration classes; environment variables override them.

`load_config(name)` picks a class by name (development, test, production) and applies
`DATABASE_URL`, `SECRET_KEY` and the `OPSFLOW_*` variables on top, so a deployment never edits
this file and no secret lives in the repository.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.db import PING_IDLE_SECONDS
from engine.runtime import ConnectorSettings

ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = ROOT / "instance"


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'opsflow.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BPMN_DIR = str(ROOT / "bpmn")
    FORMS_DIR = str(ROOT / "workflows" / "forms")
    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    ATTACHMENT_MAX_BYTES = 8 * 1024 * 1024
    # Where attachments' bytes are kept: "database" (every app process on it serves every file) or
    # "folder" (UPLOAD_DIR, which must then be storage shared by every machine). `opsflow attachments
    # move --to database|folder` moves the files already kept.
    ATTACHMENT_STORAGE = "database"
    DEMO_DATA = False
    DEMO_CASES = False
    SCHEDULER_ENABLED = False
    SCHEDULER_INTERVAL_SECONDS = 15.0  # the background runner's poll for due timers and schedules
    # Background workers (`opsflow worker`, several on PostgreSQL): a batch of due timers is leased
    # to one worker for WORKER_LEASE_SECONDS (another takes it after that, if the worker died);
    # TIMER_BATCH cases are taken at once, batch after batch until none is due.
    WORKER_LEASE_SECONDS = 300.0
    TIMER_BATCH = 200
    DEPLOY_ON_START = True
    API_TOKEN_HOURS = 12
    BABEL_DEFAULT_LOCALE = "zh_CN"
    # The business time zone: model scripts and form rules read dates in it (`Engine(zone=...)`), a
    # date in a query means midnight there, and people who chose no zone see times in it
    # (BABEL_DEFAULT_TIMEZONE follows it unless set).
    BUSINESS_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WEB_SESSION_HOURS = 24 * 7  # a browser signs in again after a week, whatever it does
    TRUSTED_PROXIES = 0  # hops of reverse proxies whose X-Forwarded-For is believed; 0: none
    WTF_CSRF_TIME_LIMIT = None
    LOGIN_THROTTLE_ATTEMPTS = 5  # failures of an account before it is locked (engine/login_throttle.py)
    LOGIN_THROTTLE_LOCK_SECONDS = 60  # the first lock; each further failure doubles it
    LOGIN_THROTTLE_MAX_LOCK_SECONDS = 3600
    LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 100  # failures from one address, any accounts, per window
    LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS = 3600
    LOGIN_THROTTLE_MEMORY_SECONDS = 86400  # failures older than this are forgotten
    LOGIN_TRUST_DAYS = 30  # a successful login trusts its address for the account this long
    CASE_DATA_MAX_BYTES = 2 * 1024 * 1024  # serialized state per case; a command over it is refused
    DIGEST_TIME = "09:00"  # the daily to-do digest, at this local time of each person (engine.runtime.digest)
    DUE_SOON_HOURS = 4.0  # "due soon" reminders this many hours before a step's due time
    REMINDER_INTERVAL_SECONDS = 30.0  # how often the background runner looks for what to remind of
    SMTP_HOST: str | None = None  # unset: e-mails wait in the outbox (see /admin/deliveries)
    SMTP_PORT = 25
    SMTP_STARTTLS = False  # upgrade the connection with STARTTLS before sending (port 587)
    SMTP_USER: str | None = None  # log in when set
    SMTP_PASSWORD: str | None = None
    SMTP_CAFILE: str | None = None  # the CA of the server's certificate for STARTTLS, when not a public one
    SMTP_TIMEOUT_SECONDS = 30.0
    MAIL_FROM = "opsflow@localhost"  # may carry a name: OpsFlow 运营中心 <opsflow@example.com>
    BASE_URL = "http://localhost:5000"  # where links in e-mails and robot messages point
    DELIVERY_INTERVAL_SECONDS = 5.0  # how often the background runner looks at the outbox
    # Where service tasks' `http` connector may call: base URLs, comma-separated
    # (OPSFLOW_CONNECTOR_HOSTS="https://wms.example.com/api/,https://erp.example.com/"); none: nowhere.
    CONNECTOR_HOSTS: str | list[str] = ""
    CONNECTOR_TIMEOUT_SECONDS = 10.0  # a call's timeout unless its model says less
    CONNECTOR_INTERVAL_SECONDS = 5.0  # how often the background runner looks for service tasks to call
    DELIVERY_BATCH = 100  # messages taken at once (one SMTP connection each)
    DELIVERY_MAX_ATTEMPTS = 8  # then a message is failed; retries back off from 30 s, doubling, to 1 h
    # The operations center's group robot, created or updated at startup (webapp/bootstrap.py):
    # OPSFLOW_WEBHOOK_URL, OPSFLOW_WEBHOOK_KIND (wecom, dingtalk or feishu), OPSFLOW_WEBHOOK_SECRET.
    WEBHOOK_URL: str | None = None
    WEBHOOK_KIND = "wecom"
    WEBHOOK_SECRET: str | None = None
    ROBOT_RATE_PER_MINUTE: int | None = None  # None: each robot's own limit (WeCom, DingTalk 20, Feishu 100)
    ROBOT_LOCALE: str | None = None  # the language group robots speak; None: BABEL_DEFAULT_LOCALE
    # Every response (webapp/security_headers.py). Checked in chromium on every page
    # (tests/browser/test_content_security_policy.py); what the vendored libraries need:
    # - Bootstrap 5: script 'self' (no eval, no inline); its CSS draws the select arrow, check marks,
    #   close button and menu icon as data: SVG images, hence img-src data:; its JavaScript sets
    #   styles through the CSSOM (element.style), which style-src does not govern.
    # - bpmn-js NavigatedViewer: script 'self'; its CSS and font files from 'self'; it builds the
    #   SVG with attributes and the CSSOM, never style attributes or <style> elements.
    # - ECharts on canvas: script 'self' (its one `new Function` is a fallback for GeoJSON without
    #   JSON.parse, never reached). Its HTML tooltips would write style="..." markup with innerHTML,
    #   which a strict style-src refuses, so dashboard.js draws tooltips on the canvas
    #   (renderMode "richText") and style-src stays 'self': no 'unsafe-inline', no nonce or hash,
    #   and a page's own CSS lives in static files (app.css, dashboard.css, instances.css).
    # No blob: anywhere (nothing builds object URLs).
    CONTENT_SECURITY_POLICY = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    # same-origin referrer: case URLs carry ids and searched names, which leave for no other site.
    SECURITY_HEADERS = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    STRICT_TRANSPORT_SECURITY: str | None = None  # production only: behind plain HTTP it would lock users out
    JSON_MAX_DEPTH = 64  # arrays and objects in a request's JSON; deeper is a 400
    DATABASE_RETRY_AFTER_SECONDS = 15  # Retry-After of the 503 answered while the database is unavailable
    # Operations (webapp/health.py, webapp/metrics.py, webapp/request_log.py)
    HEARTBEAT_INTERVAL_SECONDS = 15.0  # how often a background runner stamps its row in runner_heartbeat
    READY_HEARTBEAT_SECONDS = 60.0  # /readyz: some runner must have beaten this recently
    READY_GRACE_SECONDS = 120.0  # /readyz: a process this young is ready while no runner has beaten yet
    READY_DATABASE_TIMEOUT_MS = 2000  # /readyz: PostgreSQL's statement timeout for its queries
    METRICS_TOKEN: str | None = None  # /metrics: scrapers send "Authorization: Bearer <it>"; unset: loopback
    LOG_FORMAT = "text"  # "json": one JSON object per log line, with the request id (production logs)
    # SpiffWorkflow logs every task state change at INFO: a line per change that the audit events
    # already hold, and about 9% of a serving process's CPU under load (bench/load, py-spy)
    SPIFF_LOG_LEVEL = "WARNING"
    IDEMPOTENCY_KEEP_HOURS = 24.0  # an Idempotency-Key's answer is replayed this long, then purged
    HOUSEKEEPING_INTERVAL_SECONDS = 600.0  # how often the background runner purges old rows
    SCRIPT_SECONDS = 5.0    # a model script's time limit; its worker process is killed when it runs over
    SCRIPT_MEMORY_MB = 512  # the address space of each script worker process
    # The connection pool on PostgreSQL (ignored on SQLite). Pre-ping: a connection that has sat in the
    # pool longer than DB_POOL_PING_IDLE_SECONDS is checked with a round trip as a request takes it, and
    # a dead one replaced (with every older one) before the request uses it. Connections die
    # server-side while they sit in the pool: a PostgreSQL restart or failover, pg_terminate_backend,
    # idle_session_timeout, a PgBouncer or firewall that drops idle connections; without the ping the
    # first request on each dead connection fails (503). A connection back from a request less than
    # half a second ago is not pinged (HikariCP's aliveBypassWindowMs, engine/db.py): under load that
    # is every connection, and the ping cost a round trip per request (loopback 0.26 ms, +4.5% on a
    # 3.1 ms GET /api/v1/tasks). The price: after a restart, a connection that came back within the
    # half second before it is not pinged, so the one request that takes it fails (503) and
    # SQLAlchemy then replaces every older connection. OPSFLOW_DB_PRE_PING=0 turns the ping off,
    # OPSFLOW_DB_POOL_PING_IDLE_SECONDS=0 pings at every checkout. Recycling replaces a connection
    # after DB_POOL_RECYCLE_SECONDS (-1: never) before a firewall's or PgBouncer's idle limit (often an
    # hour) cuts it, and frees what a long-lived backend holds; OPSFLOW_DB_POOL_RECYCLE_SECONDS.
    DB_POOL_PRE_PING = True
    DB_POOL_PING_IDLE_SECONDS = PING_IDLE_SECONDS
    DB_POOL_RECYCLE_SECONDS = 1800


class DevelopmentConfig(Config):
    SECRET_KEY = "dev-only-not-secret"
    DEMO_DATA = True
    DEMO_CASES = True  # a few cases in progress in a fresh demo database (workflows/demo_cases.py)
    SCHEDULER_ENABLED = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    DEMO_DATA = True
    SCHEDULER_ENABLED = False
    LOGIN_THROTTLE_ATTEMPTS = 5


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}

_ENV_OVERRIDES = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "OPSFLOW_BPMN_DIR": "BPMN_DIR",
    "OPSFLOW_FORMS_DIR": "FORMS_DIR",
    "OPSFLOW_UPLOAD_DIR": "UPLOAD_DIR",
    "OPSFLOW_ATTACHMENT_STORAGE": "ATTACHMENT_STORAGE",
    "OPSFLOW_DIGEST_TIME": "DIGEST_TIME",
    "OPSFLOW_SMTP_HOST": "SMTP_HOST",
    "OPSFLOW_MAIL_FROM": "MAIL_FROM",
    "OPSFLOW_SMTP_USER": "SMTP_USER",
    "OPSFLOW_SMTP_PASSWORD": "SMTP_PASSWORD",
    "OPSFLOW_SMTP_CAFILE": "SMTP_CAFILE",
    "OPSFLOW_BASE_URL": "BASE_URL",
    "OPSFLOW_STRICT_TRANSPORT_SECURITY": "STRICT_TRANSPORT_SECURITY",
    "OPSFLOW_BUSINESS_TIMEZONE": "BUSINESS_TIMEZONE",
    "OPSFLOW_WEBHOOK_URL": "WEBHOOK_URL",
    "OPSFLOW_WEBHOOK_KIND": "WEBHOOK_KIND",
    "OPSFLOW_WEBHOOK_SECRET": "WEBHOOK_SECRET",
    "OPSFLOW_ROBOT_LOCALE": "ROBOT_LOCALE",
    "OPSFLOW_METRICS_TOKEN": "METRICS_TOKEN",
    "OPSFLOW_LOG_FORMAT": "LOG_FORMAT",
    "OPSFLOW_SPIFF_LOG_LEVEL": "SPIFF_LOG_LEVEL",
}
_ENV_FLAGS = {"OPSFLOW_DEMO": "DEMO_DATA", "OPSFLOW_SCHEDULER": "SCHEDULER_ENABLED",
              "OPSFLOW_SMTP_STARTTLS": "SMTP_STARTTLS", "OPSFLOW_DB_PRE_PING": "DB_POOL_PRE_PING"}
_ENV_INTEGERS = {"OPSFLOW_JSON_MAX_DEPTH": "JSON_MAX_DEPTH",
                 "OPSFLOW_CASE_DATA_MAX_BYTES": "CASE_DATA_MAX_BYTES",
                 "OPSFLOW_DATABASE_RETRY_AFTER_SECONDS": "DATABASE_RETRY_AFTER_SECONDS",
                 "OPSFLOW_DELIVERY_MAX_ATTEMPTS": "DELIVERY_MAX_ATTEMPTS",
                 "OPSFLOW_ROBOT_RATE_PER_MINUTE": "ROBOT_RATE_PER_MINUTE",
                 "OPSFLOW_TIMER_BATCH": "TIMER_BATCH",
                 "OPSFLOW_DB_POOL_RECYCLE_SECONDS": "DB_POOL_RECYCLE_SECONDS"}
_ENV_FLOATS = {"OPSFLOW_WORKER_LEASE_SECONDS": "WORKER_LEASE_SECONDS",
               "OPSFLOW_IDEMPOTENCY_KEEP_HOURS": "IDEMPOTENCY_KEEP_HOURS",
               "OPSFLOW_WORKER_POLL_SECONDS": "SCHEDULER_INTERVAL_SECONDS",
               "OPSFLOW_DB_POOL_PING_IDLE_SECONDS": "DB_POOL_PING_IDLE_SECONDS"}


class ConfigError(RuntimeError):
    """Raised when a configuration would start an unsafe or broken server."""


def load_config(name: str | None = None, environ: dict[str, str] | None = None) -> dict:
    """Return the settings of config class `name` with environment overrides applied."""
    env = os.environ if environ is None else environ
    name = name or env.get("OPSFLOW_CONFIG", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"unknown configuration {name!r}; choose one of {sorted(CONFIGS)}") from None
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings["CONFIG_NAME"] = name
    for var, key in _ENV_OVERRIDES.items():
        if env.get(var):
            settings[key] = env[var]
    for var, key in _ENV_FLAGS.items():
        if var in env:
            settings[key] = env[var].strip().lower() in {"1", "true", "yes", "on"}
    if env.get("OPSFLOW_SMTP_PORT"):
        settings["SMTP_PORT"] = int(env["OPSFLOW_SMTP_PORT"])
    for var, key in _ENV_INTEGERS.items():
        if env.get(var):
            settings[key] = int(env[var])
    if env.get("OPSFLOW_TRUSTED_PROXIES"):
        settings["TRUSTED_PROXIES"] = _proxy_hops(env["OPSFLOW_TRUSTED_PROXIES"])
    for var, key in _ENV_FLOATS.items():
        if env.get(var):
            settings[key] = float(env[var])
    if env.get("OPSFLOW_SCRIPT_SECONDS"):
        settings["SCRIPT_SECONDS"] = float(env["OPSFLOW_SCRIPT_SECONDS"])
    if env.get("OPSFLOW_SCRIPT_MEMORY_MB"):
        settings["SCRIPT_MEMORY_MB"] = int(env["OPSFLOW_SCRIPT_MEMORY_MB"])
    if env.get("OPSFLOW_DUE_SOON_HOURS"):
        settings["DUE_SOON_HOURS"] = float(env["OPSFLOW_DUE_SOON_HOURS"])
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(settings["DIGEST_TIME"])):
        raise ConfigError(f"OPSFLOW_DIGEST_TIME must be a time of day HH:MM such as 09:00, "
                          f"not {settings['DIGEST_TIME']!r}")
    url = settings["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    settings["SQLALCHEMY_DATABASE_URI"] = url
    business_zone(settings)
    webhook_kind(settings)
    if settings["ATTACHMENT_STORAGE"] not in ("database", "folder"):
        raise ConfigError(f"OPSFLOW_ATTACHMENT_STORAGE must be database or folder, "
                          f"not {settings['ATTACHMENT_STORAGE']!r}")
    check_config(settings)
    return settings


def business_zone(settings: dict) -> ZoneInfo:
    """The configured business time zone; an unknown name stops the server before it starts."""
    name = settings["BUSINESS_TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"OPSFLOW_BUSINESS_TIMEZONE must name a time zone such as Asia/Shanghai, "
                          f"not {name!r}") from None


def connector_settings(settings: dict) -> ConnectorSettings:
    """The allowed base URLs of the `http` connector; one that is not an http(s) address stops the server."""
    hosts = settings.get("CONNECTOR_HOSTS") or ""
    bases = hosts.replace(",", " ").split() if isinstance(hosts, str) else [str(h) for h in hosts]
    for base in bases:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"OPSFLOW_CONNECTOR_HOSTS must list http(s) base URLs, not {base!r}")
    return ConnectorSettings(allowed=tuple(bases),
                             timeout=float(settings.get("CONNECTOR_TIMEOUT_SECONDS", 10.0)))


def webhook_kind(settings: dict) -> str:
    """The kind of the operations center's robot; a wrong kind or URL stops the server before it starts."""
    kind = (settings.get("WEBHOOK_KIND") or "").strip().lower()
    if kind not in ("wecom", "dingtalk", "feishu"):
        raise ConfigError(f"OPSFLOW_WEBHOOK_KIND must be wecom, dingtalk or feishu, not {kind!r}")
    settings["WEBHOOK_KIND"] = kind
    url = (settings.get("WEBHOOK_URL") or "").strip()
    if url and not (url.startswith(("https://", "http://")) and len(url) <= 1024 and " " not in url):
        raise ConfigError("OPSFLOW_WEBHOOK_URL must be the robot's webhook, an http(s) URL")
    return kind


def _proxy_hops(value: str) -> int:
    hops = value.strip()
    if not (hops.isascii() and hops.isdigit()):
        raise ConfigError(f"OPSFLOW_TRUSTED_PROXIES must be the number of proxy hops (0 for none), "
                          f"not {value!r}")
    return int(hops)


def check_config(settings: dict) -> None:
    """Refuse settings that must never reach production."""
    if settings.get("CONFIG_NAME") != "production":
        return
    if not settings.get("SECRET_KEY"):
        raise ConfigError("production needs SECRET_KEY set in the environment")
    if settings.get("DEMO_DATA"):
        raise ConfigError("production refuses to run with demo data (unset OPSFLOW_DEMO)")
