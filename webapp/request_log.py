"""A request id for every request, and log lines that carry it.

The id is the caller's `X-Request-ID` when it is a plain token of at most 64 characters (nginx's
`$request_id`, a UUID), else a new one of 32 hex digits; it is echoed in the response's
`X-Request-ID`, given to the engine's session so that the audit events the request writes carry it
(`runtime.tag_request`), and added to every log record as `request_id`. With LOG_FORMAT = "json"
each log line is one JSON object (time, level, logger, message, request id, process id, and the
traceback of an error) and each request logs one line of its own (method, endpoint, status,
milliseconds), for a log collector to index; the development default stays the plain text lines.
"""
from __future__ import annotations

import json
import logging
import random
import re
import time
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from engine.runtime import tag_request

from .extensions import db

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
access_log = logging.getLogger("opsflow.request")


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def new_request_id() -> str:
    """128 random bits in hex, as `uuid4().hex` reads. An id names a request in the logs and the audit
    trail and guards nothing, so it needs no system randomness: `uuid4` asks the kernel for it on every
    request (about 8 µs of an API complete, in an interleaved A/B); `random` is reseeded in each forked
    worker, so workers forked from one master do not repeat each other's ids."""
    return f"{random.getrandbits(128):032x}"


def _begin() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _WELL_FORMED.fullmatch(given) else new_request_id()
    g.request_began = time.perf_counter()
    tag_request(db.session, g.request_id)


def _end(response: Response) -> Response:
    rid = g.get("request_id")
    if rid is None:
        return response
    response.headers[HEADER] = rid
    if access_log.isEnabledFor(logging.INFO) and g.get("log_requests"):
        took = (time.perf_counter() - g.request_began) * 1000
        access_log.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"endpoint": request.endpoint, "status": response.status_code,
                               "ms": round(took, 1)})
    return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ('-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the fields a request's access line adds (`extra`) come along."""

    EXTRA = ("endpoint", "status", "ms")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id() or "-", "pid": record.process}
        line.update({key: getattr(record, key) for key in self.EXTRA if hasattr(record, key)})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class JsonLogHandler(logging.StreamHandler):
    """The root logger's handler in JSON mode (standard error, where gunicorn and systemd read)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())


def use_json_logs() -> JsonLogHandler:
    """Log JSON lines from the root logger: plain stream handlers (logging.basicConfig's) are taken
    over by one JsonLogHandler; other handlers (a test's capture) are left alone. Idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonLogHandler):
            return handler
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = JsonLogHandler()
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    json_logs = str(app.config.get("LOG_FORMAT", "text")).lower() == "json"
    if json_logs:
        use_json_logs()
    logging.getLogger("spiff").setLevel(str(app.config.get("SPIFF_LOG_LEVEL", "WARNING")).upper())

    @app.before_request
    def begin() -> None:
        _begin()
        g.log_requests = json_logs
    app.after_request(_end)
