"""Schema migrations on SQLite and PostgreSQL: the baseline (the schema of 44b0b86) with data upgrades
to head and keeps it; a database `create_all` made at the baseline, with no version table, is taken
as the baseline; the models and the migrations agree (a forgotten revision fails here); the first
revision after the baseline goes down and up again."""
from __future__ import annotations

import importlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, insert, inspect, select, text, update

from engine import migrations, schema
from engine.db import make_sessions, make_sql_engine
from engine.models import AuditEvent, RunnerHeartbeat, Store

ROOT = Path(__file__).resolve().parents[2]
BASELINE_COMMIT = "44b0b86"
AT = datetime(2026, 3, 1, 9, 30)  # naive: the raw rows are written below the UTC column type
NEW_IN_0002 = {("audit_event", "request_id"), ("store", "owner")}


@pytest.fixture(scope="module")
def postgres_scratch(own_postgres_database):
    with own_postgres_database("migrations") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def sql_engine(request, tmp_path):
    """An empty database (PostgreSQL: the module's own, its public schema emptied)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_scratch")
        admin = make_sql_engine(url)
        with admin.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        admin.dispose()
    sql_engine = make_sql_engine(url)
    yield sql_engine
    sql_engine.dispose()


@pytest.fixture(scope="module")
def models_44b0b86(tmp_path_factory):
    """The models of the last release before migrations, as their own package (from git)."""
    where = tmp_path_factory.mktemp("release")
    try:
        archive = subprocess.run(["git", "archive", BASELINE_COMMIT, "engine/models"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"git cannot show {BASELINE_COMMIT} here")
    (where / "engine" / "models").rename(where / "models_44b0b86")
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module("models_44b0b86")
    finally:
        sys.path.remove(str(where))


def differences(sql_engine) -> list:
    with sql_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, schema.metadata)


def fill_baseline(sql_engine) -> None:
    """A few rows in the baseline's tables, written as 44b0b86 wrote them: two stores, a user, a
    model version, two cases with a task each, their audit events."""
    tables = MetaData()
    tables.reflect(sql_engine)
    t = tables.tables
    with sql_engine.begin() as c:
        for code, kind in (("SH001", "direct"), ("SH101", "franchise")):
            c.execute(insert(t["store"]).values(code=code, name=f"门店{code}", name_en=code, kind=kind,
                                                region="EAST", city="上海", address="", status="open"))
        c.execute(insert(t["user"]).values(id=1, username="zhang", display_name="张店长", password_hash="x",
                                           locale="zh_CN", timezone="Asia/Shanghai", active=True,
                                           is_demo=False, created_at=AT))
        c.execute(insert(t["process_definition"]).values(id=1, key="complaint", name="投诉",
                                                         latest_version=1))
        c.execute(insert(t["process_version"]).values(id=1, definition_id=1, version=1, checksum="c" * 64,
                                                      deployed_at=AT))
        for case in (1, 2):
            c.execute(insert(t["process_instance"]).values(
                id=case, version_id=1, process_key="complaint", title=f"投诉 {case}", status="running",
                started_at=AT, updated_at=AT, serializer_version="1", state="{}", lock_version=3,
                started_by_id=1))
            c.execute(insert(t["human_task"]).values(
                instance_id=case, spiff_task_id=f"00000000-0000-0000-0000-00000000000{case}",
                process_key="complaint", element_id="review", name="审核", state="open", priority=50,
                created_at=AT, kind="user", store_code="SH001"))
            c.execute(insert(t["audit_event"]).values(instance_id=case, event_type="instance_started",
                                                      at=AT, message="started", actor_id=1,
                                                      data={"store": "SH001"}))
        if sql_engine.dialect.name == "postgresql":  # the rows above named their ids
            for name in ("user", "process_definition", "process_version", "process_instance"):
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), 10)"))


def check_the_baseline_data_survived(sql_engine) -> None:
    with sql_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM process_instance")).scalar() == 2
        assert c.execute(text("SELECT lock_version FROM process_instance WHERE id = 2")).scalar() == 3
        assert c.execute(text("SELECT count(*) FROM human_task WHERE state = 'open'")).scalar() == 2
        assert c.execute(text("SELECT username FROM \"user\"")).scalars().all() == ["zhang"]
    with make_sessions(sql_engine)() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.instance_id, e.event_type, e.data, e.request_id) for e in events] == [
            (case, "instance_started", {"store": "SH001"}, None) for case in (1, 2)]
        assert events[0].at.tzinfo is not None and events[0].at.replace(tzinfo=None) == AT
        stores = session.scalars(select(Store).order_by(Store.code)).all()
        assert [(s.code, s.kind, s.owner) for s in stores] == [("SH001", "direct", None),
                                                                ("SH101", "franchise", None)]


def check_the_new_columns_work(sql_engine) -> None:
    with make_sessions(sql_engine)() as session:
        session.execute(update(Store).where(Store.code == "SH101").values(owner="锦绣服饰有限公司"))
        session.add(AuditEvent(instance_id=1, event_type="task_completed", at=datetime.now().astimezone(),
                               message="", request_id="r" * 64))
        session.add(RunnerHeartbeat(name="host:1", started_at=datetime.now().astimezone(),
                                    beat_at=datetime.now().astimezone()))
        session.commit()
        assert session.get(Store, "SH101").owner == "锦绣服饰有限公司"
        completed = select(AuditEvent.request_id).where(AuditEvent.event_type == "task_completed")
        assert session.scalar(completed) == "r" * 64
        assert session.get(RunnerHeartbeat, "host:1") is not None


def revision_of(sql_engine) -> str | None:
    with sql_engine.connect() as connection:
        return migrations.current(connection)


# -- the models and the migrations agree ----------------------------------------------------------

def test_an_empty_database_gets_the_head_and_it_is_the_models_schema(sql_engine):
    """The test that fails when a model changed and no revision says so (or a revision says what
    no model does): `opsflow db revision -m ...` writes the missing one."""
    assert migrations.upgrade(sql_engine) == (None, migrations.head())
    assert differences(sql_engine) == []
    assert set(schema.metadata.tables) <= set(inspect(sql_engine).get_table_names())
    assert migrations.upgrade(sql_engine) == (migrations.head(), migrations.head())  # again: nothing


def test_a_forgotten_revision_is_seen(sql_engine):
    migrations.upgrade(sql_engine)
    with sql_engine.begin() as connection:
        connection.execute(text("DROP TABLE runner_heartbeat"))
    assert [d[0] for d in differences(sql_engine)] == ["add_table"]


def test_create_all_makes_the_head_schema_and_records_it(sql_engine):
    schema.create_all(sql_engine)
    assert revision_of(sql_engine) == migrations.head()
    with sql_engine.connect() as connection:
        assert migrations.state(connection) == "ok"
    schema.drop_all(sql_engine)
    assert inspect(sql_engine).get_table_names() == []


def test_create_all_on_an_older_schema_records_no_revision(sql_engine, models_44b0b86):
    """It only adds missing tables (not columns): the upgrade, which still runs, does the rest."""
    models_44b0b86.Base.metadata.create_all(sql_engine)
    schema.create_all(sql_engine)
    assert revision_of(sql_engine) is None and inspect(sql_engine).has_table("runner_heartbeat")
    assert migrations.upgrade(sql_engine) == (None, migrations.head())
    assert "owner" in {c["name"] for c in inspect(sql_engine).get_columns("store")}


# -- from the baseline --------------------------------------------------------------------------------

def test_the_baseline_with_data_upgrades_to_head_and_keeps_it(sql_engine):
    migrations.upgrade(sql_engine, migrations.BASELINE)
    columns = {(t, c["name"]) for t in ("audit_event", "store") for c in inspect(sql_engine).get_columns(t)}
    assert not NEW_IN_0002 & columns and not inspect(sql_engine).has_table("runner_heartbeat")
    fill_baseline(sql_engine)
    with sql_engine.connect() as connection:
        assert migrations.state(connection) == "behind"
    assert migrations.upgrade(sql_engine) == (migrations.BASELINE, migrations.head())
    check_the_baseline_data_survived(sql_engine)
    check_the_new_columns_work(sql_engine)
    assert differences(sql_engine) == []


def test_the_baseline_revision_is_the_schema_create_all_made_at_44b0b86(sql_engine, models_44b0b86):
    """Tables, columns, types, indexes and constraints (by name on PostgreSQL, whose default names
    the naming convention spells) of the baseline revision and of the release's `create_all`."""
    migrations.upgrade(sql_engine, migrations.BASELINE)
    with sql_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, models_44b0b86.Base.metadata) == []
        migrated = constraint_names(connection)
    with sql_engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    models_44b0b86.Base.metadata.drop_all(sql_engine)
    models_44b0b86.Base.metadata.create_all(sql_engine)
    with sql_engine.connect() as connection:
        made = constraint_names(connection)
    if sql_engine.dialect.name == "postgresql":
        assert migrated == made


def constraint_names(connection) -> set[tuple[str, str | None]]:
    schema_ = inspect(connection)
    names: set[tuple[str, str | None]] = set()
    for table in set(schema_.get_table_names()) - {"alembic_version"}:
        names.add((table, schema_.get_pk_constraint(table)["name"]))
        names |= {(table, fk["name"]) for fk in schema_.get_foreign_keys(table)}
        names |= {(table, uq["name"]) for uq in schema_.get_unique_constraints(table)}
        names |= {(table, ix["name"]) for ix in schema_.get_indexes(table)}
    return names


def test_a_database_create_all_made_at_44b0b86_is_taken_as_the_baseline(sql_engine, models_44b0b86):
    """What every installation running today has: the release's tables, data, no version table."""
    models_44b0b86.Base.metadata.create_all(sql_engine)
    fill_baseline(sql_engine)
    assert revision_of(sql_engine) is None
    assert migrations.upgrade(sql_engine) == (None, migrations.head())
    check_the_baseline_data_survived(sql_engine)
    check_the_new_columns_work(sql_engine)
    assert [d for d in differences(sql_engine) if not an_unnamed_unique_on_sqlite(sql_engine, d)] == []


def an_unnamed_unique_on_sqlite(sql_engine, difference) -> bool:
    """SQLite keeps the unique constraints `create_all` made before the naming convention unnamed
    (renaming one means copying the table): the same columns are unique, only the name is missing."""
    if sql_engine.dialect.name != "sqlite" or difference[0] != "add_constraint":
        return False
    wanted = difference[1]
    present = inspect(sql_engine).get_unique_constraints(wanted.table.name)
    return {tuple(u["column_names"]) for u in present if not u["name"]} >= {tuple(wanted.columns.keys())}


def test_a_development_snapshot_that_already_had_some_of_0002_upgrades(sql_engine, models_44b0b86):
    """`create_all` after the release added the heartbeats' table, and the README told people to add
    `audit_event.request_id` by hand: 0002 adds only what is missing."""
    models_44b0b86.Base.metadata.create_all(sql_engine)
    schema.metadata.tables["runner_heartbeat"].create(sql_engine)
    with sql_engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_event ADD COLUMN request_id VARCHAR(64)"))
    fill_baseline(sql_engine)
    assert migrations.upgrade(sql_engine) == (None, migrations.head())
    check_the_baseline_data_survived(sql_engine)
    check_the_new_columns_work(sql_engine)


# -- down -------------------------------------------------------------------------------------------

def test_the_first_revision_goes_down_and_up_again(sql_engine):
    migrations.upgrade(sql_engine, migrations.BASELINE)
    fill_baseline(sql_engine)
    migrations.upgrade(sql_engine)
    assert migrations.downgrade(sql_engine, migrations.BASELINE) == (migrations.head(), migrations.BASELINE)
    columns = {(t, c["name"]) for t in ("audit_event", "store") for c in inspect(sql_engine).get_columns(t)}
    assert not NEW_IN_0002 & columns and not inspect(sql_engine).has_table("runner_heartbeat")
    with sql_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM audit_event")).scalar() == 2
        assert c.execute(text("SELECT count(*) FROM store")).scalar() == 2
    migrations.upgrade(sql_engine)
    check_the_baseline_data_survived(sql_engine)
    assert differences(sql_engine) == []


# -- several processes starting at once ----------------------------------------------------------

def test_processes_upgrading_at_once_take_turns(sql_engine):
    """`opsflow serve` and two workers started together on an installation made before migrations:
    on PostgreSQL one upgrades while the others wait on the advisory lock, then find the head."""
    if sql_engine.dialect.name != "postgresql":
        pytest.skip("SQLite installations run one process")
    migrations.upgrade(sql_engine, migrations.BASELINE)
    with sql_engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: migrations.upgrade(sql_engine), range(3)))
    assert sorted(results, key=str) == sorted([(None, migrations.head())]
                                              + [(migrations.head(), migrations.head())] * 2, key=str)
    assert differences(sql_engine) == []


def _state_compression(sql_engine) -> str:
    with sql_engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'process_instance'::regclass "
            "AND attname = 'state'").scalar_one()


def test_a_cases_state_is_compressed_with_lz4_on_postgresql(sql_engine):
    """Every command rewrites it: lz4 writes it about four times faster than pglz (engine/db.py)."""
    if sql_engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL column setting")
    migrations.upgrade(sql_engine, "0007")
    assert _state_compression(sql_engine) == ""  # the server's default
    migrations.upgrade(sql_engine)
    assert _state_compression(sql_engine) == "l"
    migrations.downgrade(sql_engine, "0007")
    assert _state_compression(sql_engine) == ""
    schema.drop_all(sql_engine)
    schema.create_all(sql_engine)  # the tests' and benchmarks' databases get it too
    assert _state_compression(sql_engine) == "l"
