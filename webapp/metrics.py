"""Prometheus metrics at `GET /metrics`: request latency by route, commands by kind and outcome, and,
read from the database at scrape time, the most overdue timer, the outbox depth and the background runners'
heartbeats.

Several app processes (gunicorn's workers) each count their own requests; with
`PROMETHEUS_MULTIPROC_DIR` set before the processes start, prometheus-client writes the counts to
files there and a scrape of any process adds them up (its multiprocess mode). `opsflow worker`
processes of the same host with the same folder in their environment add theirs (`runner_metrics`:
heartbeats, timers fired, each firing's lag). Without it the counts are this process's.

A command is a request that may change something (POST, PUT, PATCH, DELETE), its kind the route's
endpoint. Its outcome is what refused it: routes that catch an engine refusal to answer with a page
of their own roll the session back while handling it, so the refusal is read from the exception being
handled at that rollback (no query, nothing added to the command itself); otherwise the status says.

Who may scrape: with METRICS_TOKEN set, a request with `Authorization: Bearer <token>`; without it,
only a request from this machine that no proxy forwarded (nginx in front makes every request look
local, and forwards it with X-Forwarded-For). Nobody else: the runners' names are host names.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import sys
import time
from typing import Any, Iterable

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from engine.errors import (
    ConcurrentUpdate,
    Conflict,
    DeployError,
    EngineError,
    InvalidData,
    NotFound,
    PermissionDenied,
    ProcessError,
)
from engine.queries import heartbeats, outbox_depth, timer_lag

from . import runner_metrics  # noqa: F401  (the runners' families, in this scrape too)
from .extensions import db

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "opsflow_request_seconds", "Time to answer a request, by route endpoint, method and status class",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
COMMANDS = Counter("opsflow_commands", "Requests that may change something, by route endpoint and outcome",
                   ["kind", "outcome"])

#: A refusal's outcome, by the engine's exception (the first class of its MRO found here).
OUTCOMES: dict[type[EngineError], str] = {
    PermissionDenied: "denied", Conflict: "conflict", ConcurrentUpdate: "conflict", InvalidData: "invalid",
    DeployError: "invalid", NotFound: "not_found", ProcessError: "failed"}
#: Without a refusal seen, by the status.
STATUS_OUTCOMES = {401: "denied", 403: "denied", 404: "not_found", 409: "conflict", 400: "invalid",
                   422: "invalid", 413: "invalid", 429: "throttled"}
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


#: The label children met so far: `labels()` checks and joins its arguments under a lock on every call;
#: the routes are few, so each child is looked up once per process (the counts still go to the family).
_TIMERS: dict[tuple[str, str, int], Any] = {}
_COUNTS: dict[tuple[str, str], Any] = {}


def outcome(refusal: BaseException | None, status: int) -> str:
    if isinstance(refusal, EngineError):
        for cls in type(refusal).__mro__:
            if cls in OUTCOMES:
                return OUTCOMES[cls]
    if status >= 500:
        return "error"
    return "ok" if status < 400 else STATUS_OUTCOMES.get(status, "invalid")


def _start_timer() -> None:
    g.opsflow_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("opsflow_started", None)
    if started is None:
        return response
    endpoint = request.endpoint or "unmatched"
    status = response.status_code
    took = time.perf_counter() - started
    method = request.method
    key = (endpoint, method, status // 100)
    child = _TIMERS.get(key)
    if child is None:
        child = _TIMERS.setdefault(key, REQUEST_SECONDS.labels(endpoint, method, f"{status // 100}xx"))
    child.observe(took)
    if method not in _SAFE and request.endpoint:
        kind = (endpoint, outcome(g.pop("opsflow_refusal", None), status))
        counter = _COUNTS.get(kind)
        if counter is None:
            counter = _COUNTS.setdefault(kind, COMMANDS.labels(*kind))
        counter.inc()
    return response


@event.listens_for(Session, "after_soft_rollback")
def _refusal_seen(session: Session, previous_transaction: Any) -> None:
    """A route rolling back while it handles an engine refusal: remember the refusal for `_observe`."""
    if not has_request_context():
        return
    handled = sys.exc_info()[1]
    if isinstance(handled, EngineError) and "opsflow_refusal" not in g:
        g.opsflow_refusal = handled


class DatabaseState(Collector):
    """The gauges read from the database at each scrape: each one cheap, indexed query."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = current_app.extensions["opsflow"].clock()
        try:
            beats = heartbeats(db.session)
            lag = timer_lag(db.session, now)
            depth = outbox_depth(db.session)
        finally:
            db.session.rollback()
        yield GaugeMetricFamily("opsflow_timer_overdue_seconds",
                                "How long the most overdue timer of a running case has waited past its time "
                                "(each firing's lag: the histogram opsflow_timer_lag_seconds)",
                                value=lag)
        outbox = GaugeMetricFamily("opsflow_outbox_messages",
                                   "Messages in the outbox not yet sent, by status", labels=["status"])
        for status, count in depth.items():
            outbox.add_metric([status], count)
        yield outbox
        age = GaugeMetricFamily("opsflow_runner_heartbeat_age_seconds",
                                "Seconds since each background runner (embedded or worker) last beat",
                                labels=["runner"])
        for beat in beats:
            age.add_metric([beat.name], max(0.0, (now - beat.beat_at).total_seconds()))
        yield age

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return ()


def allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), str(token).encode())
    if any(name in request.headers for name in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics() -> Any:
    if not allowed():
        if current_app.config.get("METRICS_TOKEN"):
            raise Unauthorized(www_authenticate=WWWAuthenticate("bearer", {"realm": "metrics"}))
        abort(403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(DatabaseState())
    body = generate_latest(counted) + generate_latest(state)
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)
