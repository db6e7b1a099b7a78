"""The app's CPU per request kind of the load test, on PostgreSQL, in the production config.

    .venv/bin/python -m bench.request_cpu [ROUNDS] [--profile KIND] [--cases N]

A database seeded as the load test seeds it (demo users, the shipped models, N complaints started at
SH001), then the load test's requests through Flask's test client in one process, taking turns kind by
kind: complete (the manager's investigation, and the agent's follow-up that ends the case and tells its
starter), 待办 (API), start (API), 待办 (page), task page, case list, dashboard. The figure is
this process's CPU (`time.process_time`) per request: the app's own work, without PostgreSQL's (a
server of its own) or the network's. Wall time is printed beside it. `--profile KIND` prints a cProfile
of that kind's requests (cumulative, the app's and the libraries' frames).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fixtures  # noqa: E402
from bench.load.harness import COMPLAINT, seed  # noqa: E402
from bench.report import median, percentile  # noqa: E402

KINDS = ("complete (API)", "complete, last step (API)", "待办 (API)", "start (API)", "待办 (page)",
         "task page", "case list (page)", "dashboard (page)")
INVESTIGATION = {"findings": "监控显示周末客流高峰期试衣区仅1名店员，顾客等候约25分钟",
                 "root_cause": "高峰期排班不足", "resolution_type": "apology", "compensation_amount": 0,
                 "resolution_plan": "店长致电致歉并赠送会员积分；调整周末排班"}  # as bench/load/locustfile.py
FOLLOW_UP = {"customer_satisfied": True, "feedback": "客户接受致歉，表示满意"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _fresh(url: str) -> None:
    from engine import schema
    from engine.db import make_sql_engine
    sql_engine = make_sql_engine(url)
    schema.drop_all(sql_engine)
    sql_engine.dispose()


class Bench:
    def __init__(self, url: str, cases: int) -> None:
        from webapp import create_app
        os.environ.setdefault("SECRET_KEY", "bench-request-cpu")  # production refuses to start without one
        _fresh(url)
        seed(url, cases)
        self.app = create_app("production", SQLALCHEMY_DATABASE_URI=url,
                              SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False,
                              SCHEDULER_ENABLED=False, DEMO_DATA=False)
        self.client = self.app.test_client()
        self.tokens = {u: self._token(u) for u in ("manager_sh001", "cs_li")}
        self.manager = self._signed_in("manager_sh001")
        self.supervisor = self._signed_in("supervisor_east")
        self.open: list[int] = []
        self.follow_ups: list[int] = []  # the agent's last steps of the cases the manager moved on

    def _token(self, username: str) -> str:
        answer = self.client.post("/api/v1/login", json={"username": username, "password": "demo123"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return str(answer.get_json()["token"])

    def _signed_in(self, username: str) -> Any:
        client = self.app.test_client()
        token = _CSRF.search(client.get("/login").get_data(as_text=True))
        assert token
        answer = client.post("/login", data={"username": username, "password": "demo123",
                                             "csrf_token": token.group(1)})
        assert answer.status_code in (302, 303), answer.status_code
        return client

    def _api(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def requests(self) -> dict[str, Callable[[], Any]]:
        def todo_api() -> Any:
            answer = self.client.get("/api/v1/tasks?per_page=50&sort=age",
                                     headers=self._api("manager_sh001"))
            items = answer.get_json()["items"]
            self.open = [t["id"] for t in items if t["element_id"] == "investigate_store"]
            return answer

        def complete() -> Any:
            answer = self.client.post(f"/api/v1/tasks/{self.open.pop()}/complete",
                                      headers=self._api("manager_sh001"), json={"data": INVESTIGATION})
            self.follow_ups.append(answer.get_json()["open_tasks"][0]["id"])
            return answer

        def last_step() -> Any:
            """The agent's follow-up: the case ends, and its starter is told (inbox and e-mail)."""
            return self.client.post(f"/api/v1/tasks/{self.follow_ups.pop()}/complete",
                                    headers=self._api("cs_li"), json={"data": FOLLOW_UP})

        return {
            "待办 (API)": todo_api,
            "complete (API)": complete,
            "complete, last step (API)": last_step,
            "start (API)": lambda: self.client.post("/api/v1/processes/complaint_handling/instances",
                                                    headers=self._api("cs_li"), json={"data": COMPLAINT}),
            "待办 (page)": lambda: self.manager.get("/tasks"),
            "task page": lambda: self.manager.get(f"/tasks/{self.open[-1]}"),
            "case list (page)": lambda: self.supervisor.get("/cases"),
            "dashboard (page)": lambda: self.supervisor.get("/dashboard"),
        }

    def statements(self, kind: str) -> list[str]:
        from sqlalchemy import event

        from webapp.extensions import db
        with self.app.app_context():
            sql_engine = db.engine
        sent: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            sent.append(" ".join(statement.split())[:300])
        calls = self.requests()
        calls["待办 (API)"]()
        if kind == "complete, last step (API)":
            calls["complete (API)"]()
        event.listen(sql_engine, "before_cursor_execute", seen)
        try:
            calls[kind]()
        finally:
            event.remove(sql_engine, "before_cursor_execute", seen)
        return sent

    def run(self, rounds: int, profile: str | None = None
            ) -> tuple[dict[str, list[float]], dict[str, list[float]], cProfile.Profile]:
        cpu: dict[str, list[float]] = {k: [] for k in KINDS}
        wall: dict[str, list[float]] = {k: [] for k in KINDS}
        profiler = cProfile.Profile()
        calls = self.requests()
        order = ("待办 (API)", "task page", "complete (API)", "complete, last step (API)", "start (API)",
                 "待办 (page)", "case list (page)", "dashboard (page)")
        for _ in range(rounds):
            for kind in order:
                if profile == kind:
                    profiler.enable()
                c0, w0 = time.process_time(), time.perf_counter()
                answer = calls[kind]()
                c1, w1 = time.process_time(), time.perf_counter()
                if profile == kind:
                    profiler.disable()
                assert answer.status_code < 400, (kind, answer.status_code,
                                                  answer.get_data(as_text=True)[:300])
                cpu[kind].append((c1 - c0) * 1000)
                wall[kind].append((w1 - w0) * 1000)
        return cpu, wall, profiler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rounds", nargs="?", type=int, default=60)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--profile", choices=KINDS)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--statements", choices=KINDS, help="print the SQL one request of KIND sends")
    args = parser.parse_args(argv)
    url = os.environ.get("OPSFLOW_BENCH_URL") or fixtures.postgres_url()
    assert url, "needs PostgreSQL (instance/pgtest.url)"
    bench = Bench(url, args.cases)
    bench.run(5)  # caches warm, as in a run
    if args.statements:
        for line in bench.statements(args.statements):
            print(line)
        return
    cpu, wall, profiler = bench.run(args.rounds, args.profile)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; {args.rounds} rounds, PostgreSQL, "
          "production config, Flask test client")
    print(f"{'request kind':<26} {'CPU ms p50':>10} {'CPU ms mean':>11} {'wall ms p50':>11} {'wall p90':>9}")
    for kind in KINDS:
        print(f"{kind:<26} {median(cpu[kind]):>10.2f} {sum(cpu[kind]) / len(cpu[kind]):>11.2f} "
              f"{median(wall[kind]):>11.2f} {percentile(wall[kind], 90):>9.2f}")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
