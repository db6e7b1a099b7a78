"""`opsflow serve`: the production shape, gunicorn with N app processes on one database. Started for
real with two processes of two threads on a free port: each answers `/healthz` (their process ids in
the JSON access lines), one scrape of `/metrics` counts the requests of both, and no connection is
kept alive (each request goes to whichever process is free)."""
from __future__ import annotations

import gc
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from webapp.serving import compile_templates, default_workers, settle

BOOT_SECONDS = 120  # preparing the database deploys every model first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def access_pids(log: Path) -> set[int]:
    pids = set()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "opsflow.request" and entry.get("endpoint") == "health.healthz":
                pids.add(entry["pid"])
    return pids


def closed_after_response(port: int) -> bool:
    """Does the server close an HTTP/1.1 connection (kept alive unless told otherwise) after answering?"""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return response.status == 200 and response.getheader("Connection") == "close" and response.will_close
    finally:
        connection.close()


def test_the_default_is_two_processes_a_core_and_one():
    assert default_workers() == len(os.sched_getaffinity(0)) * 2 + 1



def test_a_served_process_leaves_its_start_up_objects_out_of_every_later_collection(app):
    try:
        frozen = settle()
        # the app, its models, the libraries' classes (a frozen object that is freed leaves the count, so
        # the two figures need not be equal)
        assert frozen > 100_000 and gc.get_freeze_count() > 100_000
        assert not any(obj is app for obj in gc.get_objects())  # the collector no longer walks the app
    finally:
        gc.unfreeze()  # the test process goes on collecting as before

def test_a_served_process_has_every_template_compiled_before_its_first_request(app, client, auth,
                                                                             monkeypatch):
    templates = Path(app.root_path, "templates")
    assert compile_templates(app) == len([*templates.rglob("*.html"), *templates.rglob("*.txt")])

    def compiling(*_args, **_kwargs):
        raise AssertionError("a template was compiled while serving")
    monkeypatch.setattr(app.jinja_env, "compile", compiling)
    auth.login("supervisor_east")
    for page in ("/tasks", "/cases", "/dashboard", "/inbox"):
        assert client.get(page).status_code == 200, page


def test_serve_runs_two_processes_that_each_answer_and_are_counted_together(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    env = {name: value for name, value in os.environ.items() if name != "OPSFLOW_CONFIG"}  # production
    env.update(SECRET_KEY="serve-test-secret", DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}",
               OPSFLOW_UPLOAD_DIR=str(tmp_path / "uploads"), OPSFLOW_LOG_FORMAT="json",
               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "serve",
                                   "--workers", "2", "--threads", "2", "--port", str(port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)  # the server is booting: nothing here depends on the clock
        asked = 1
        with ThreadPoolExecutor(8) as pool:
            while len(access_pids(log)) < 2 and asked < 400:
                statuses = list(pool.map(lambda _: get(f"{base}/healthz")[0], range(40)))
                assert statuses == [200] * 40
                asked += 40
        pids = access_pids(log)
        assert len(pids) == 2 and server.pid not in pids, pids
        assert closed_after_response(port)
        asked += 1
        status, body = get(f"{base}/metrics")
        assert status == 200
        counts = [s.value for family in text_string_to_metric_families(body.decode())
                  for s in family.samples if s.name == "opsflow_request_seconds_count"
                  and s.labels.get("endpoint") == "health.healthz"]
        assert sum(counts) == asked  # both processes' requests, from one of them
        ready = json.loads(urllib.request.urlopen(f"{base}/readyz", timeout=10).read())
        assert ready["checks"]["runner"] == "starting"  # no `opsflow worker` here; ready during the grace
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(timeout=60) == 0, log.read_text()[-3000:]
