"""The published contract holds: schemathesis fuzzes every operation of /api/v1/openapi.json against
the real server (`opsflow run`, as `make run` starts it) on a fresh SQLite database with the demo
data and a few cases, and every response must be no server error, a documented status with the
documented content type, headers and body; a request without a valid token must be refused, and a
method a path does not have must be a 405 that says which it has.

The run is bounded (OPSFLOW_FUZZ_EXAMPLES examples per operation, 40 by default) and seeded
(OPSFLOW_FUZZ_SEED, fixed by default so that CI is repeatable; set another to explore). Its
report lands in test-output/schemathesis/ (JUnit XML); a failure prints schemathesis's own account
with a curl line to reproduce each finding.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FUZZER = "supervisor_east"  # supervises every demo store (all in EAST), starts store openings, holds tasks
CHECKS = ",".join((
    "not_a_server_error", "status_code_conformance", "response_schema_conformance",
    "content_type_conformance", "response_headers_conformance",
    "ignored_auth",  # every operation but the public two refuses a request without a valid token
    "unsupported_method",  # a method a path does not have: 405 with Allow
))


class LiveApi:
    def __init__(self, url: str, log: list[str]) -> None:
        self.url, self.log = url, log

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        request = urllib.request.Request(f"{self.url}/api/v1{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def token(self, username: str) -> str:
        return self.call("POST", "/login", {"username": username, "password": "demo123"})["token"]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[LiveApi]:
    """`opsflow run` on a free port and a new database: deploy, demo data, timers, waitress."""
    from .test_cli import _free_port, _opsflow_command, _stop
    folder, port = tmp_path_factory.mktemp("contract"), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSFLOW_") and k != "SECRET_KEY"}
    env.update(OPSFLOW_CONFIG="development", OPSFLOW_UPLOAD_DIR=str(folder / "uploads"),
               DATABASE_URL=f"sqlite:///{folder / 'api.sqlite'}", PYTHONUNBUFFERED="1")
    command = [*_opsflow_command(), "run", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    log: list[str] = []
    drain = threading.Thread(target=lambda: log.extend(server.stderr), daemon=True)
    try:
        for line in server.stderr:  # waitress says when it listens
            log.append(line)
            if "Serving on" in line:
                break
        else:
            pytest.fail("opsflow run stopped before serving:\n" + "".join(log[-30:]))
        # keep reading what the server logs, or a full pipe would stall it
        drain.start()
        yield LiveApi(f"http://127.0.0.1:{port}", log)
    finally:
        _stop(server)
        if drain.is_alive():
            drain.join(timeout=10)
        server.stderr.close()


def _seed_cases(api: LiveApi) -> None:
    """Cases to work on, so that ids and links lead somewhere: a critical complaint (its
    investigation is the store supervisor's), a return, a store opening."""
    from .test_api import COMPLAINT, OPENING, RETURN
    critical = {**COMPLAINT, "category": "product_quality", "amount_claimed": 20000}
    api.call("POST", "/processes/complaint_handling/instances", {"data": critical}, api.token("cs_li"))
    api.call("POST", "/processes/product_return/instances", {"data": RETURN}, api.token("franchisee_nj01"))
    api.call("POST", "/processes/store_opening/instances", {"data": OPENING}, api.token(FUZZER))


def test_every_operation_keeps_the_contract(live_api, tmp_path):
    _seed_cases(live_api)
    token = live_api.token(FUZZER)
    report = REPO / "test-output" / "schemathesis"
    report.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{live_api.url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
        "--max-examples", os.environ.get("OPSFLOW_FUZZ_EXAMPLES", "40"),
        "--seed", os.environ.get("OPSFLOW_FUZZ_SEED", "9"), "--workers", "1", "--request-timeout", "30",
        "--generation-database", "none", "--report", "junit", "--report-dir", str(report), "--no-color",
    ]
    # in a folder of its own: nothing (a crash cache, a config file) carries over from another run
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    account = run.stdout + run.stderr
    (report / "output.txt").write_text(account, encoding="utf-8")
    (report / "server.log").write_text("".join(live_api.log), encoding="utf-8")
    assert run.returncode == 0, f"schemathesis found failures (exit {run.returncode}):\n{account[-20000:]}"
    assert "Tested: 0" not in account and "Selected: 0" not in account, account[-5000:]
