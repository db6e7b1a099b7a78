"""The workflows' tests run the real engine: `world` is a fresh SQLite copy of the demo database
(demo data loaded, bpmn/ deployed) with an Engine on a frozen clock, and `start_case` walks one case
of a model through it step by step (model_case.py). Time moves only when a test advances the clock,
and the timers then due fire as the server's scheduler fires them."""
from __future__ import annotations

import copy
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:  # the helper modules beside this file are imported as tests.workflows.*
    sys.path.insert(0, ROOT)

from engine import Engine, FrozenClock, schema  # noqa: E402
from engine.bpmn.deploy import deploy_directory  # noqa: E402
from engine.bpmn.specs import SpecCache  # noqa: E402
from engine.db import make_sessions, make_sql_engine  # noqa: E402
from tests.workflows.model_case import ModelCase  # noqa: E402
from tests.workflows.samples import START  # noqa: E402
from tests.workflows.world import World  # noqa: E402
from workflows import BPMN_DIR, FORMS_DIR  # noqa: E402
from workflows.catalogue import catalogue  # noqa: E402
from workflows.demo_loader import load_demo_data  # noqa: E402
from workflows.model_lint import shipped_user_tasks  # noqa: E402

# Monday 2 November 2026, 09:00 in Shanghai.
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
#: The business time zone the shipped models are written for (config.py's BUSINESS_TIMEZONE).
SHANGHAI = ZoneInfo("Asia/Shanghai")

_SHARED_SPECS: dict[str, Any] = {}  # the parsed versions of the template, shared by every SQLite world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One SQLite database with the demo data and bpmn/ deployed, copied for every test."""
    path = tmp_path_factory.mktemp("world") / "template.sqlite"
    sql_engine = make_sql_engine(f"sqlite:///{path}")
    schema.create_all(sql_engine)
    _prepare(make_sessions(sql_engine))
    with sql_engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sql_engine.dispose()
    return path


def _prepare(sessions: Any) -> None:
    """The demo data of DESIGN.md section 2 and the models of bpmn/, as the run command loads them."""
    with sessions() as session:
        load_demo_data(session, T0)
        deploy_directory(session, BPMN_DIR, FORMS_DIR, now=T0)
        session.commit()


def _make_world(sql_engine: Any, shared_specs: bool) -> World:
    clock = FrozenClock(T0)
    engine = Engine(clock=clock, catalogue=catalogue(), zone=SHANGHAI)
    if shared_specs:  # every copy of the template has the same versions: parse each once per run
        engine.specs = _SHARED_SPECS.setdefault("cache", SpecCache())
    return World(make_sessions(sql_engine), engine, clock)


@pytest.fixture(params=["sqlite"])
def world(request: pytest.FixtureRequest) -> World:
    """A fresh world on SQLite; parametrize indirectly with "postgres" to run on the test server."""
    return request.getfixturevalue(f"{request.param}_world")


@pytest.fixture
def sqlite_world(tmp_path: Any, world_template: Any) -> Any:
    """A copy of the template database, so every test starts from the same demo world."""
    path = tmp_path / "db.sqlite"
    shutil.copyfile(world_template, path)
    sql_engine = make_sql_engine(f"sqlite:///{path}")
    yield _make_world(sql_engine, shared_specs=True)
    sql_engine.dispose()


@pytest.fixture
def postgres_world(own_postgres_database) -> Any:
    """The same world in a database of its own on the PostgreSQL test server (others share the
    server's default database and drop its schema)."""
    with own_postgres_database("workflows") as url:
        sql_engine = make_sql_engine(url)
        schema.create_all(sql_engine)
        _prepare(make_sessions(sql_engine))
        yield _make_world(sql_engine, shared_specs=False)
        sql_engine.dispose()


@pytest.fixture
def start_case(sqlite_world: World) -> Callable[..., ModelCase]:
    """start_case("product_return", items=[...]) starts a case with the sample start data, overridden,
    as the process's usual requester (model_case.STARTERS)."""

    def start(process_key: str, data: dict[str, Any] | None = None, **overrides: Any) -> ModelCase:
        return ModelCase(sqlite_world, process_key, data, **overrides)

    return start


@pytest.fixture
def start_data() -> dict[str, dict[str, Any]]:
    """The sample start data of every process (a copy: tests may change it)."""
    return copy.deepcopy(START)


@pytest.fixture
def user_tasks() -> Callable[[str], set[str]]:
    """The user tasks of a process, by element id (from its model)."""
    return lambda process_key: set(shipped_user_tasks(process_key))
