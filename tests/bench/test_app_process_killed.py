"""An app process killed in the middle of load (issue 15): the production shape (`opsflow serve --workers 2
--threads 4` + `opsflow worker`, PostgreSQL), four clients completing store investigations over HTTP,
and one gunicorn worker process SIGKILLed while they do.

What must hold: the clients see errors only for the requests that were in flight on the killed process
(a client has one request out at a time, so at most one error per client, and each error is a dropped
connection, never an answer 5xx); every other request succeeds; gunicorn starts a replacement process
and the clients go on completing through it; and afterwards the lost-update check passes — every case's
workflow, task rows and audit events agree, and every completion answered 200 is stored once.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.load.consistency import check
from bench.load.harness import free_port, seed, start_app, stop_app

# the store's findings (bench/load/locustfile.py's; not imported: importing locust patches the process)
INVESTIGATION = {"findings": "监控显示周末客流高峰期试衣区仅1名店员，顾客等候约25分钟",
                 "root_cause": "高峰期排班不足", "resolution_type": "apology", "compensation_amount": 0,
                 "resolution_plan": "店长致电致歉并赠送会员积分；调整周末排班"}
CLIENTS = 4
CASES = 200           # more investigations than the clients finish in the test: the work never runs out
BEFORE_KILL = 10      # completions before the kill
AFTER_REPLACEMENT = 3  # completions once gunicorn has replaced the killed process


def _workers(master: int) -> set[int]:
    """The gunicorn worker processes: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(p) for p in children.read_text().split()} if children.exists() else set()


class Client(threading.Thread):
    """One store manager's session: list 待办, complete the investigations that are this client's
    (task id modulo the client count, so two clients never race for a task), until told to stop."""

    def __init__(self, port: int, token: str, index: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.index, self.stop = port, token, index, stop
        self.answers: Counter[str] = Counter()   # "200", "409", "500", ...
        self.dropped: list[str] = []             # requests that got no answer: the connection died
        self.completed: list[int] = []
        self.completed_after: list[float] = []

    def _call(self, method: str, path: str, body: object | None = None) -> tuple[int, object] | None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={"Authorization": f"Bearer {self.token}",
                                        "Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            self.dropped.append(f"{method} {path}: {type(exc).__name__}")
            return None
        finally:
            connection.close()
        self.answers[str(response.status)] += 1
        return response.status, json.loads(payload) if payload else None

    def run(self) -> None:
        while not self.stop.is_set():
            listed = self._call("GET", "/api/v1/tasks?per_page=20&sort=age")
            if listed is None or listed[0] != 200:
                continue
            mine = [t for t in listed[1]["items"]  # type: ignore[index]
                    if t["element_id"] == "investigate_store" and t["id"] % CLIENTS == self.index]
            for task in mine[:3]:
                if self.stop.is_set():
                    break
                done = self._call("POST", f"/api/v1/tasks/{task['id']}/complete",
                                  {"data": INVESTIGATION})
                if done is not None and done[0] == 200:
                    self.completed.append(task["id"])
                    self.completed_after.append(time.monotonic())


def _token(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/login", body=json.dumps({"username": "manager_sh001",
                                                                  "password": "demo123"}),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 200
    token = json.loads(response.read())["token"]
    connection.close()
    return str(token)


def _done(clients: list[Client], since: float = 0.0) -> int:
    """Completions answered 200 so far (after `since`, a time.monotonic() reading)."""
    return sum(1 for c in clients for at in list(c.completed_after) if at > since)


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds gunicorn's workers through /proc")
def test_killing_an_app_process_mid_load_fails_only_its_requests_and_loses_nothing(own_postgres_database):
    with own_postgres_database("killed") as url, tempfile.TemporaryDirectory(prefix="kill-") as scratch:
        seed(url, CASES)
        port = free_port()
        processes = start_app("production", url, port, scratch)
        master = processes[0].pid
        try:
            assert _wait(lambda: len(_workers(master)) == 2, 30), "gunicorn did not start two workers"
            before = _workers(master)
            token = _token(port)
            stop = threading.Event()
            clients = [Client(port, token, n, stop) for n in range(CLIENTS)]
            for client in clients:
                client.start()
            # the load is counted in completions, not seconds: a quiet machine would finish the work first
            assert _wait(lambda: _done(clients) >= BEFORE_KILL, 60), "no load before the kill"
            victim = min(before)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replaced = _wait(lambda: len(_workers(master)) == 2 and victim not in _workers(master), 30)
            replaced_at = time.monotonic()
            _wait(lambda: _done(clients, since=replaced_at) >= AFTER_REPLACEMENT, 30)
            stop.set()
            for client in clients:
                client.join(30)
            after = _workers(master)
        finally:
            stop_app(processes)

        assert replaced, f"gunicorn did not replace worker {victim}: workers now {after}"
        assert len(after - before) == 1 and victim not in after
        answers = sum((c.answers for c in clients), Counter())
        dropped = [d for c in clients for d in c.dropped]
        assert set(answers) == {"200"}, f"answers other than 200 (no 5xx, no conflict expected): {answers}"
        # only what was in flight on the killed process: a client has one request out at a time
        assert all(len(c.dropped) <= 1 for c in clients), [c.dropped for c in clients]
        assert len(dropped) <= CLIENTS, dropped
        completed = [t for c in clients for t in c.completed]
        assert any(at > killed_at for c in clients for at in c.completed_after), \
            "no completion after the kill: the survivors and the replacement served nothing"
        assert len(completed) >= BEFORE_KILL, answers
        cases, problems = check(url, completed)
        assert cases >= CASES
        assert problems == [], problems
        print(f"\n{sum(answers.values())} requests answered 200, {len(dropped)} dropped by the kill "
              f"({dropped}), {len(completed)} completions, worker {victim} replaced by {after - before}")
