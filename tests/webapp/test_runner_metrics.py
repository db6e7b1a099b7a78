"""A worker on a host with no app process: `opsflow worker --metrics-port` serves its own figures
(heartbeat, timers fired, firing lag) for Prometheus to scrape directly; SIGTERM still stops it with 0."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from config import ROOT

from .test_serve import free_port

BOOT_SECONDS = 180


def test_a_worker_serves_its_own_figures_on_its_metrics_port(tmp_path):
    port, log = free_port(), tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSFLOW_", "PROMETHEUS_"))}
    env.update(OPSFLOW_CONFIG="development", OPSFLOW_DEMO="0", SECRET_KEY="runner-metrics-test",
               DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite'}", OPSFLOW_UPLOAD_DIR=str(tmp_path / "up"),
               OPSFLOW_WORKER_METRICS_PORT=str(port))
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "worker",
                                   "--name", "lonely-worker"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            assert worker.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                if 'opsflow_runner_heartbeat_timestamp_seconds{runner="lonely-worker"}' in body:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)  # the worker is booting: nothing here depends on the clock
        os.killpg(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
