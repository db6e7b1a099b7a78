"""Configuration classes; environment variables override them.

`load_config(name)` picks a class by name (development, test, production) and applies
`DATABASE_URL`, `SECRET_KEY` and the `OPSFLOW_*` variables on top, so a deployment never edits
this file and no secret lives in the repository.
"""
from __future__ import annotations

import os
from pathlib import Path

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
    DEMO_DATA = False
    SCHEDULER_ENABLED = False
    SCHEDULER_INTERVAL_SECONDS = 15.0
    DEPLOY_ON_START = True
    API_TOKEN_HOURS = 12
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    LOGIN_THROTTLE_ATTEMPTS = 5
    LOGIN_THROTTLE_WINDOW_SECONDS = 300
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    MAIL_FROM = "opsflow@localhost"
    SCRIPT_SECONDS = 5.0    # a model script's time limit; its worker process is killed when it runs over
    SCRIPT_MEMORY_MB = 512  # the address space of each script worker process


class DevelopmentConfig(Config):
    SECRET_KEY = "dev-only-not-secret"
    DEMO_DATA = True
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


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}

_ENV_OVERRIDES = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "OPSFLOW_BPMN_DIR": "BPMN_DIR",
    "OPSFLOW_FORMS_DIR": "FORMS_DIR",
    "OPSFLOW_UPLOAD_DIR": "UPLOAD_DIR",
    "OPSFLOW_SMTP_HOST": "SMTP_HOST",
    "OPSFLOW_MAIL_FROM": "MAIL_FROM",
}
_ENV_FLAGS = {"OPSFLOW_DEMO": "DEMO_DATA", "OPSFLOW_SCHEDULER": "SCHEDULER_ENABLED"}


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
    if env.get("OPSFLOW_SCRIPT_SECONDS"):
        settings["SCRIPT_SECONDS"] = float(env["OPSFLOW_SCRIPT_SECONDS"])
    if env.get("OPSFLOW_SCRIPT_MEMORY_MB"):
        settings["SCRIPT_MEMORY_MB"] = int(env["OPSFLOW_SCRIPT_MEMORY_MB"])
    url = settings["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    settings["SQLALCHEMY_DATABASE_URI"] = url
    check_config(settings)
    return settings


def check_config(settings: dict) -> None:
    """Refuse settings that must never reach production."""
    if settings.get("CONFIG_NAME") != "production":
        return
    if not settings.get("SECRET_KEY"):
        raise ConfigError("production needs SECRET_KEY set in the environment")
    if settings.get("DEMO_DATA"):
        raise ConfigError("production refuses to run with demo data (unset OPSFLOW_DEMO)")
