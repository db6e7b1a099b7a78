"""The background runner's own figures, counted where the work is done (an `opsflow worker` process,
or the runner inside `opsflow run`): its heartbeats, the timers it fired, and how late each firing
was (`opsflow_timer_lag_seconds`, a histogram observed at each firing: the clock then − the due time).

A worker whose environment names the same `PROMETHEUS_MULTIPROC_DIR` as the app processes of its host
writes its counts to files there, so one scrape of `/metrics` on that host shows them beside the
requests'. A worker on a host with no app process is not in any app's scrape: `opsflow worker
--metrics-port` serves its own figures (and its folder's) for Prometheus to scrape directly.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

# Every family here has labels: a child (and so, in multiprocess mode, a file in the folder) is made
# when a runner first counts, not when a process imports this module before the folder exists.
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
)

HEARTBEAT = Gauge("opsflow_runner_heartbeat_timestamp_seconds",
                  "When each background runner last beat (Unix time), as the runner counted it",
                  ["runner"], multiprocess_mode="max")
TIMERS_FIRED = Counter("opsflow_timers_fired", "Cases whose due timers moved, by background runner",
                       ["runner"])
TIMER_LAG = Histogram("opsflow_timer_lag_seconds",
                      "How long after its due time each timer fired (observed at each firing), by runner",
                      ["runner"], buckets=(0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0))


def beat(runner: str, at_timestamp: float) -> None:
    HEARTBEAT.labels(runner).set(at_timestamp)


def on_lag(runner: str) -> Callable[[float], None]:
    """What `fire_due_timers` tells of each firing, counted for `runner`."""
    fired, lag = TIMERS_FIRED.labels(runner), TIMER_LAG.labels(runner)

    def observe(seconds: float) -> None:
        fired.inc()
        lag.observe(seconds)
    return observe


def prepare_folder() -> None:
    """The multiprocess folder of a worker's environment must exist before the first count is made
    (systemd's RuntimeDirectory= makes it for the units; by hand, this does)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


def serve_own(port: int, host: str = "127.0.0.1") -> None:
    """Serve this worker's figures on http://host:port/ (a thread): the folder's sum when there is one."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)
