"""Engine fixtures: no Flask app, just SQL sessions, a frozen clock and the fixture models.

Most tests start from the same database: the stores, the cast of `people` and the models of
`fixture_models/` deployed. It is built once per run and per backend and restored for each test that asks for
`people` or `deployed` (a file copy on SQLite, a few DELETE/INSERT statements on PostgreSQL), which
keeps the suite fast; every other test gets empty tables.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from engine import Engine, FrozenClock, schema
from engine.bpmn.deploy import DeployResult, deploy_directory
from engine.bpmn.specs import ParsedProcess, SourceFile, parse_process
from engine.db import make_sessions, make_sql_engine
from engine.directory.accounts import RoleSpec, hash_password, insert_user_unchecked, upsert_store
from engine.models import HumanTask, ProcessDefinition, User
from engine.policy import OpenCatalogue, SupervisionRules
from workflows.registry import SUPERVISION

MODELS = Path(__file__).parent / "fixture_models"
#: The business time zone the fixture models are written for (an engine given none reads UTC).
SHANGHAI = ZoneInfo("Asia/Shanghai")
CAST = {
    "manager_sh001": [RoleSpec("store_manager", "SH001")],
    "manager_sh002": [RoleSpec("store_manager", "SH002")],
    "deputy_sh001": [RoleSpec("store_manager", "SH001")],
    "supervisor_east": [RoleSpec("store_supervisor", region="EAST")],
    "supervisor_north": [RoleSpec("store_supervisor", region="NORTH")],
    "director": [RoleSpec("ops_director")],
    "cs_li": [RoleSpec("cs_agent")],
}

class FixtureCatalogue(OpenCatalogue):
    """Open to everyone, overseen as the shipped catalogue says (the cast holds its roles): without
    a catalogue, administrators alone would oversee cases."""
    supervision = SUPERVISION


def _populate(session: Session) -> None:
    """Stores (SH001 and SH002 in EAST, BJ001 in NORTH), the cast, and the fixture models deployed."""
    now = FrozenClock().current  # when the `clock` fixture starts
    upsert_store(session, "SH001", "上海南京路店", region="EAST")
    upsert_store(session, "SH002", "上海徐家汇店", region="EAST")
    upsert_store(session, "BJ001", "北京王府井店", region="NORTH")
    password_hash = hash_password("x" * 8)  # one scrypt hash for everybody: hashing is slow on purpose
    for name, roles in CAST.items():
        insert_user_unchecked(session, name, None, password_hash=password_hash, roles=roles, now=now)
    deploy_directory(session, MODELS, now=now)
    session.commit()


def _wants_baseline(request: pytest.FixtureRequest) -> bool:
    return bool({"people", "deployed"} & set(request.fixturenames))


# -- databases ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def engine_postgres_url(own_postgres_database) -> Iterator[str]:
    """A database of our own on the PostgreSQL test server: other test runs against the same server
    (other packages, other engineers) drop and re-create the schema of the shared database."""
    with own_postgres_database("engine") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """Like the top-level `db_url`, but on PostgreSQL in this package's own database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'opsflow.sqlite'}"
    return request.getfixturevalue("engine_postgres_url")


@pytest.fixture(scope="session")
def sqlite_baseline(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("baseline") / "opsflow.sqlite"
    sql_engine = make_sql_engine(f"sqlite:///{path}")
    schema.create_all(sql_engine)
    with make_sessions(sql_engine)() as session:
        _populate(session)
    with sql_engine.connect() as connection:  # everything into the main file, which is what is copied
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sql_engine.dispose()
    return path


class PostgresTables:
    """The schema, created once, with the baseline kept in schema `baseline` to restore from.

    DELETE rather than TRUNCATE: on tables this small TRUNCATE costs about ten times as much."""

    def __init__(self, url: str) -> None:
        self.sql_engine = make_sql_engine(url)
        schema.drop_all(self.sql_engine)
        schema.create_all(self.sql_engine)
        with make_sessions(self.sql_engine)() as session:
            _populate(session)
        tables = schema.metadata.sorted_tables
        with self.sql_engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS baseline CASCADE; CREATE SCHEMA baseline")
            for t in tables:
                connection.exec_driver_sql(
                    f'CREATE TABLE baseline."{t.name}" AS SELECT * FROM public."{t.name}"')
        empty = [f'DELETE FROM public."{t.name}"' for t in reversed(tables)]
        copy = [f'INSERT INTO public."{t.name}" SELECT * FROM baseline."{t.name}"' for t in tables]
        sequences = [f"SELECT setval(pg_get_serial_sequence('public.\"{t.name}\"', 'id'), "
                     f"coalesce((SELECT max(id) FROM public.\"{t.name}\"), 0) + 1, false)"
                     for t in tables if "id" in t.primary_key.columns]
        self.empty_sql = ";\n".join(empty + sequences)
        self.baseline_sql = ";\n".join(empty + copy + sequences)

    def reset(self, baseline: bool) -> None:
        with self.sql_engine.begin() as connection:
            connection.exec_driver_sql(self.baseline_sql if baseline else self.empty_sql)


@pytest.fixture(scope="session")
def postgres_tables(engine_postgres_url: str) -> Iterator[PostgresTables]:
    tables = PostgresTables(engine_postgres_url)
    yield tables
    tables.sql_engine.dispose()


@pytest.fixture
def sessions(db_url, request):
    """A sessionmaker on the baseline (when the test uses `people` or `deployed`) or empty tables."""
    baseline = _wants_baseline(request)
    if db_url.startswith("sqlite"):
        path = Path(make_url(db_url).database)
        if baseline:
            shutil.copy(request.getfixturevalue("sqlite_baseline"), path)
        sql_engine = make_sql_engine(db_url)
        schema.create_all(sql_engine)
        yield make_sessions(sql_engine)
        sql_engine.dispose()
        return
    tables = request.getfixturevalue("postgres_tables")
    tables.reset(baseline)
    yield make_sessions(tables.sql_engine)


@pytest.fixture
def session(sessions):
    with sessions() as s:
        yield s


# -- the world a test starts from -----------------------------------------------------------------

@pytest.fixture
def engine(clock):
    return Engine(clock=clock, catalogue=FixtureCatalogue(), zone=SHANGHAI)


@pytest.fixture
def supervision(engine) -> SupervisionRules:
    """The rules the `engine` fixture goes by, for the queries that take them."""
    return engine.supervision


@pytest.fixture
def people(session) -> dict[str, User]:
    """The cast by username: managers of SH001 (two of them) and SH002, supervisors of EAST and
    NORTH, a director, a customer-service clerk."""
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(CAST)))}


@pytest.fixture
def root(session, clock) -> User:
    """An administrator (the cast holds none): `root`, committed, without a usable password."""
    user = insert_user_unchecked(session, "root", None, password_hash="!", roles=[RoleSpec("admin")],
                                 now=clock())
    session.commit()
    return user


@pytest.fixture
def deployed(session) -> dict[str, DeployResult]:
    """The models of `fixture_models/`, each deployed as version 1."""
    return {d.key: DeployResult(d.key, d.latest_version, True)
            for d in session.scalars(select(ProcessDefinition))}


@pytest.fixture
def supervised_cases(engine, session, people, clock, tmp_path):
    """Three fixture supervised_cases and one 'complaint' (the same model under the complaint process key)."""
    folder = tmp_path / "models"
    folder.mkdir()
    for f in (f for f in MODELS.iterdir() if f.is_file()):
        (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
    text = (MODELS / "lanes_gateway.bpmn").read_text("utf-8")
    complaint = text.replace('"lanes_gateway"', '"complaint_handling"')
    (folder / "complaint_handling.bpmn").write_text(complaint, "utf-8")
    deploy_directory(session, folder, now=clock())
    now = clock()
    people["manager_bj001"] = insert_user_unchecked(session, "manager_bj001", "secret1", now=now,
                                          roles=[RoleSpec("store_manager", "BJ001")])
    people["cs_manager"] = insert_user_unchecked(session, "cs_manager", "secret1", now=now,
                                       roles=[RoleSpec("cs_manager")])
    people["manager_sh001b"] = insert_user_unchecked(session, "manager_sh001b", "secret1", now=now,
                                                     display_name="李店长",
                                                     roles=[RoleSpec("store_manager", "SH001")])
    session.commit()
    made = {}
    for name, starter, store in (("a", "manager_sh001", "SH001"), ("b", "manager_sh002", "SH002"),
                                 ("c", "manager_bj001", "BJ001")):
        made[name] = engine.start(session, "lanes_gateway", people[starter],
                                  {"store_code": store, "amount": 100})
        clock.advance(hours=1)
    made["complaint"] = engine.start(session, "complaint_handling", people["manager_sh001"],
                                     {"store_code": "SH001", "amount": 5})
    session.commit()
    return made


@pytest.fixture(scope="session")
def send_back_process() -> ParsedProcess:
    """The fixture model `send_back` parsed in memory (no database): plan, two checks in parallel, a
    cooling-off timer, an approval with a reminder, a payment, a confirmation."""
    files = [SourceFile("bpmn", "send_back.bpmn", (MODELS / "send_back.bpmn").read_text("utf-8"))]
    files += [SourceFile("form", f.name, f.read_text("utf-8")) for f in MODELS.glob("*.json")]
    return parse_process("send_back", files)


@pytest.fixture
def model_dir(tmp_path) -> Callable[..., Path]:
    """Copy chosen fixture models (and every JSON form) into a fresh folder to change or break them."""
    def make(*keys: str, name: str = "models") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for form in MODELS.glob("*.json"):
            shutil.copy(form, folder)
        for key in keys:
            shutil.copy(MODELS / f"{key}.bpmn", folder)
        return folder
    return make


# -- helpers ------------------------------------------------------------------------------------

def dump_tables(session: Session) -> dict[str, list[str]]:
    """Every row of every table in primary-key order, as text: what "unchanged" is checked against."""
    return {table.name: [repr(tuple(row)) for row in session.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in schema.metadata.sorted_tables}


@pytest.fixture
def dump() -> Callable[[Session], dict[str, list[str]]]:
    return dump_tables


def open_tasks(session: Session, instance_id: int) -> dict[str, HumanTask]:
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                   HumanTask.state == "open").order_by(HumanTask.id))
    return {row.element_id: row for row in rows}


@pytest.fixture
def tasks_of() -> Callable[[Session, int], dict[str, Any]]:
    """The open human_task rows of a case by element id."""
    return open_tasks


def _race_schedulers(engine: Engine, db_url: str, now: Any, schedulers: int = 2) -> list[int]:
    import threading

    from engine.runtime.timers import fire_due_timers
    sql_engines = [make_sql_engine(db_url) for _ in range(schedulers)]
    barrier = threading.Barrier(schedulers)
    fired: list[int] = []
    errors: list[BaseException] = []

    def scheduler(sql_engine: Any) -> None:
        try:
            barrier.wait(timeout=10)
            fired.append(fire_due_timers(engine, make_sessions(sql_engine), now))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(e,)) for e in sql_engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for e in sql_engines:
        e.dispose()
    assert not errors, errors
    return fired


@pytest.fixture
def race_schedulers(engine: Engine, db_url: str) -> Callable[[Any], list[int]]:
    """Run `fire_due_timers` at a given time from two threads at once, each with its own connection
    pool, as two server processes would; how many cases each moved."""
    return lambda now: _race_schedulers(engine, db_url, now)
