"""`opsflow serve`: the app factory under gunicorn, N worker processes on one database.

Each worker builds its own app (and so its own connection pool) after the fork; the master prepares
the database once before forking and holds no connection. Background work is not in these
processes: `opsflow worker` runs it (the `runner` check of `/readyz` says whether one does).
Prometheus counts from all workers are added up through a shared folder (`PROMETHEUS_MULTIPROC_DIR`;
a fresh one when it is not set), emptied at each start of the files of processes that are gone, so a
restart does not count twice (the `opsflow worker` processes writing there go on counting).

A worker closes each connection after its response (no keep-alive), so every request is a new
connection, taken by whichever process is waiting in `accept`: the free one. A kept-alive connection
stays with the process that accepted it, and a few busy clients (a proxy's pooled connections, the
load test's people) then load one process while the other idles: in the load test one process used
8.9 s of CPU while the other used 2.5 s over the same 10 s, and the rate rose from 122 to 161
completions/s without keep-alive. A new connection on the host's loopback costs far less than that.
"""
from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """cores × 2 + 1, the cores this process may run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores * 2 + 1


def shared_metrics_dir() -> str:
    """The multiprocess folder of prometheus-client, emptied; set before any worker counts a thing.

    prometheus-client picks its multiprocess values when a metric's first labelled child is made,
    from `values.ValueClass`, chosen at its import: the CLI imported it before this command ran, so
    the choice is made again here, in the master, where no child exists yet."""
    from prometheus_client import values
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="opsflow-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        if not _alive(stale):
            stale.unlink()
    values.ValueClass = values.get_value_class()
    return folder


def _alive(counts: Path) -> bool:
    """Is the process that writes `counts` (prometheus-client's `<kind>_<pid>.db`) still running? The
    folder is shared with the `opsflow worker` processes of this host, which keep counting across a
    restart of the app processes; the files of dead processes are the ones a restart empties."""
    pid = counts.stem.rsplit("_", 1)[-1]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Server(BaseApplication):
    """gunicorn with its settings from `options` (never from the command line it did not parse)."""

    def __init__(self, config_name: str | None, options: dict[str, Any]) -> None:
        self.config_name, self.options = config_name, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from . import create_app
        app = create_app(self.config_name)
        ready_to_serve(app)
        return app


def compile_templates(app: Flask) -> int:
    """Compile every template as the worker starts, before it takes a request; the count.

    Jinja compiles a template the first time it is rendered: about 0.7 s of CPU for all of them in each
    process, paid by the first people to open each page after a start (and, in a load test, inside
    the measured run). Production never reloads a template, so each is compiled once here."""
    environment = app.jinja_env
    names = environment.list_templates(extensions=("html", "txt"))
    for name in names:
        environment.get_template(name)
    return len(names)


def ready_to_serve(app: Flask) -> None:
    """What a served process (`opsflow serve`'s workers, `opsflow run`) does before its first request."""
    compile_templates(app)
    settle()


def settle() -> int:
    """Move what start-up built to the collector's permanent generation; the count moved.

    A started process holds about 150,000 objects that live as long as it does (the app, its models,
    SQLAlchemy's and SpiffWorkflow's classes, the translations), and every full collection walked all
    of them again: one pause of 85 ms in 12,000 API completes (`bench/api_cost`'s loop, timed by
    `gc.callbacks`). Frozen, the longest pause in the same loop was 6 ms, and the collector's time
    per complete fell from 28 to 20 µs. What is frozen is never collected as a cycle again; start-up
    garbage is collected first."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def serve(config_name: str | None, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    shared_metrics_dir()
    Server(config_name, {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync", "timeout": timeout, "graceful_timeout": timeout,
        "proc_name": "opsflow", "accesslog": None, "preload_app": False,
        "keepalive": 0,
    }).run()
