"""What a request adds to the engine: the API's `POST /api/v1/tasks/<id>/complete` against the engine's
complete command alone, on the same SQLite file, in the same run.

Both complete steps of the five-step benchmark process (bench/models) as the same user; the cases take
turns (even ones through the API, odd ones through the engine) so the machine's load touches both alike.
The API's figure is the whole request as a WSGI server calls the app: token → user → grants, the access
check, JSON in and out, the engine command and the commit; building the request and reading the answer
are the client's work and stay outside it. The engine's figure is `Engine.complete` +
`commit()` in a session of its own (the engine's `make_sessions`), with the user already loaded, as
bench/steps.py measures it.
"""
from __future__ import annotations

import cProfile
import io
import json
import pstats
import tempfile
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Iterator

from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.test import EnvironBuilder

from engine import Engine, FrozenClock
from engine.db import make_sessions
from engine.directory import RoleSpec, issue_token
from engine.models import User

from . import fixtures
from .report import Table, Target, median, percentile

PROCESS = "five_steps"
STEPS = 5
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class ApiCost:
    api_ms: float
    api_p90_ms: float
    engine_ms: float
    engine_p90_ms: float
    api_statements: float
    engine_statements: float
    samples: int

    @property
    def ratio(self) -> float:
        return self.api_ms / self.engine_ms


class _Counter:
    def __init__(self) -> None:
        self.n = 0
        self.sql: list[str] = []
        self.keep = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.n += 1
        if self.keep:
            self.sql.append(statement)


class Bench:
    """An app on a SQLite file with the benchmark models, one user of both lanes and a token."""

    def __init__(self, tmp: str) -> None:
        from webapp import create_app
        from webapp.bootstrap import init_db
        from webapp.extensions import db
        self.clock = FrozenClock()
        self.app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/api.sqlite",
                              UPLOAD_DIR=f"{tmp}/uploads", CLOCK=self.clock, API_TOKEN_HOURS=10_000)
        init_db(self.app)
        with self.app.app_context():
            fixtures.deploy_models(db.session, self.clock())
            user = fixtures.make_user(db.session, "bench_api", [RoleSpec("cs_agent"), RoleSpec("cs_manager")],
                                      self.clock())
            db.session.flush()
            self.user_id = user.id
            self.token = issue_token(db.session, user, self.clock(), 10_000)
            db.session.commit()
            self.sql_engine = db.engine
        self.engine = self.app.extensions["opsflow"]
        self.starter = Engine(clock=self.clock)  # no catalogue: the shipped one closes unknown processes
        self.headers = {"Authorization": f"Bearer {self.token}"}
        with Session(self.sql_engine, expire_on_commit=False) as session:
            self.user = session.scalar(select(User).where(User.id == self.user_id)
                                       .options(selectinload(User.roles)))
        self.counter = _Counter()
        # the engine's own sessions, as bench/steps.py and the CLI's and worker's commands run in: they
        # keep their objects loaded past the commit, as the API's writes do (webapp/api/answers.py)
        self.sessions = make_sessions(self.sql_engine)

    def start(self, n: int) -> list[tuple[int, str]]:
        with Session(self.sql_engine) as session:
            user = session.get(User, self.user_id)
            assert user is not None
            tasks = []
            for _ in range(n):
                view = self.starter.start(session, PROCESS, user, {})
                tasks.append((view.open_tasks[0].id, view.open_tasks[0].element_id))
            session.commit()
        return tasks

    def request(self, task_id: int, element_id: str) -> dict[str, Any]:
        """The WSGI environ of the request, built before the clock starts: building it is the client's
        work (and the server's), not the app's."""
        return EnvironBuilder(path=f"/api/v1/tasks/{task_id}/complete", method="POST", headers=self.headers,
                              json={"data": fixtures.form_data(element_id)}).get_environ()

    def via_api(self, environ: dict[str, Any]) -> bytes:
        """The app answering the request, as a WSGI server calls it: the body it sends."""
        status: list[str] = []
        body = b"".join(self.app(environ, lambda s, _headers, _exc=None: status.append(s)))
        assert status[0].startswith("200"), body
        return body

    @staticmethod
    def next_task(body: bytes) -> tuple[int, str] | None:
        """The case's next task in the API's answer: reading it is the client's work, outside the time."""
        tasks = json.loads(body)["open_tasks"]
        return (tasks[0]["id"], tasks[0]["element_id"]) if tasks else None

    def via_engine(self, task_id: int, element_id: str) -> tuple[int, str] | None:
        with self.sessions() as session:
            view = self.engine.complete(session, task_id, self.user, fixtures.form_data(element_id))
            session.commit()
        return (view.open_tasks[0].id, view.open_tasks[0].element_id) if view.open_tasks else None

    def run(self, instances: int, profiler: cProfile.Profile | None = None
            ) -> dict[str, list[float]]:
        """Seconds and statements per step of `instances` cases through each way."""
        tasks: list[tuple[int, str] | None] = list(self.start(2 * instances))
        out: dict[str, list[float]] = {"api": [], "engine": [], "api_sql": [], "engine_sql": []}
        event.listen(self.sql_engine, "before_cursor_execute", self.counter)
        try:
            for _ in range(STEPS):
                for i, task in enumerate(tasks):
                    assert task is not None
                    way = "api" if i % 2 == 0 else "engine"
                    environ = self.request(*task) if way == "api" else None
                    self.counter.n = 0
                    if profiler is not None and way == "api":
                        profiler.enable()
                    t0 = perf_counter()
                    answer = self.via_api(environ) if environ is not None else self.via_engine(*task)
                    elapsed = perf_counter() - t0
                    if profiler is not None and way == "api":
                        profiler.disable()
                    tasks[i] = self.next_task(answer) if way == "api" else answer
                    out[way].append(elapsed)
                    out[f"{way}_sql"].append(self.counter.n)
                    self.clock.advance(seconds=1)
        finally:
            event.remove(self.sql_engine, "before_cursor_execute", self.counter)
        assert all(t is None for t in tasks), "every case should have ended after five steps"
        return out

    def statements(self) -> dict[str, list[str]]:
        """The SQL one API complete and one engine complete send, for reading."""
        (api_task, api_el), (eng_task, eng_el) = self.start(2)
        event.listen(self.sql_engine, "before_cursor_execute", self.counter)
        self.counter.keep = True
        try:
            self.counter.sql = []
            self.via_api(self.request(api_task, api_el))
            api = self.counter.sql
            self.counter.sql = []
            self.via_engine(eng_task, eng_el)
            return {"api": api, "engine": self.counter.sql}
        finally:
            self.counter.keep = False
            event.remove(self.sql_engine, "before_cursor_execute", self.counter)


def _bench() -> Iterator[Bench]:
    with tempfile.TemporaryDirectory(prefix="opsflow-bench-api-") as tmp:
        bench = Bench(tmp)
        try:
            yield bench
        finally:
            with bench.app.app_context():
                bench.sql_engine.dispose()


def measure(instances: int = 200, warmup: int = 10) -> ApiCost:
    for bench in _bench():
        bench.run(warmup)
        t = bench.run(instances)
    ms = {k: [s * 1000 for s in t[k]] for k in ("api", "engine")}
    return ApiCost(median(ms["api"]), percentile(ms["api"], 90), median(ms["engine"]),
                   percentile(ms["engine"], 90), median(t["api_sql"]), median(t["engine_sql"]),
                   len(ms["api"]))


def table(cost: ApiCost) -> Table:
    t = Table(f"API complete against the engine command, SQLite ({cost.samples:,} steps each, per step)",
              ("what", "median ms", "p90 ms", "x engine", "SQL stmts"),
              [("POST /api/v1/tasks/<id>/complete (WSGI app)", cost.api_ms, cost.api_p90_ms,
                f"{cost.ratio:.2f}x", round(cost.api_statements)),
               ("Engine.complete + commit", cost.engine_ms, cost.engine_p90_ms, "1.00x",
                round(cost.engine_statements))])
    t.notes.append("the request: bearer token -> user and grants, access check, JSON, the command, commit")
    t.targets.append(Target(f"API complete within {TARGET_RATIO:g}x the engine command",
                            cost.ratio <= TARGET_RATIO,
                            f"{cost.api_ms:.2f} ms vs {cost.engine_ms:.2f} ms = {cost.ratio:.2f}x"))
    return t


def profile(instances: int = 100, top: int = 40) -> str:
    profiler = cProfile.Profile()
    for bench in _bench():
        bench.run(10)
        bench.run(instances, profiler)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def statements() -> dict[str, list[str]]:
    for bench in _bench():
        bench.run(5)
        return bench.statements()
    return {}
