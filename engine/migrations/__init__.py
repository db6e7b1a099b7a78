"""The schema's history as Alembic revisions, and bringing a database to the head of it."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as SqlEngine

SCRIPTS = Path(__file__).resolve().parent
#: The schema of the last release before migrations (44b0b86): what `create_all` made until then.
BASELINE = "0001"
#: A table every database at the baseline has; without a version table it says "made by create_all".
_BASELINE_TABLE = "process_instance"
_LOCK = 7_150_015  # the PostgreSQL advisory lock several processes starting at once wait on


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an alembic.ini: the scripts here, on this connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    heads = ScriptDirectory.from_config(config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {', '.join(heads)} (merge them)")
    return heads[0]


@cache
def known() -> frozenset[str]:
    return frozenset(s.revision for s in ScriptDirectory.from_config(config()).walk_revisions())


def current(connection: Connection) -> str | None:
    """The database's revision; None when it has no version table (empty, or made by `create_all`
    before migrations existed)."""
    return MigrationContext.configure(connection).get_current_revision()


def state(connection: Connection) -> str:
    """`ok` at head, `behind` at an older revision or none, `unknown` at a revision these scripts do
    not have (newer code migrated it). What `/readyz` asks: two small catalogue and version reads."""
    revision = current(connection)
    if revision == head():
        return "ok"
    return "unknown" if revision is not None and revision not in known() else "behind"


def upgrade(sql_engine: SqlEngine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `target` in one transaction (on PostgreSQL; SQLite commits DDL as it
    goes): an empty one gets every table; one `create_all` made at the baseline, which has tables but
    no version table, is stamped as the baseline first. Several processes starting at once on
    PostgreSQL take turns. Returns the revision before and after."""
    with sql_engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
        before = current(connection)
        cfg = config(connection)
        if before is None and inspect(connection).has_table(_BASELINE_TABLE):
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, target)
        return before, current(connection)


def downgrade(sql_engine: SqlEngine, target: str) -> tuple[str | None, str | None]:
    with sql_engine.begin() as connection:
        before = current(connection)
        command.downgrade(config(connection), target)
        return before, current(connection)


#: Alembic's own version table, as it makes it (for stamping without loading the scripts again).
VERSION_TABLE = Table("alembic_version", MetaData(),
                      Column("version_num", String(32), nullable=False),
                      PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def stamp_head(connection: Connection) -> None:
    """Record the head revision on a database whose tables `create_all` just made from the models
    (what `alembic stamp head` does, without parsing the scripts each time: tests make many)."""
    VERSION_TABLE.create(connection, checkfirst=True)
    connection.execute(VERSION_TABLE.delete())
    connection.execute(VERSION_TABLE.insert().values(version_num=head()))


def revision(message: str, autogenerate: bool, sql_engine: SqlEngine | None = None) -> Path:
    """Write the next numbered script (`0003_<message>.py`), its operations compared from the models
    against the database (which must be at head) when `autogenerate`."""
    number = f"{max(int(r) for r in known()) + 1:04d}"
    if not autogenerate or sql_engine is None:
        script = command.revision(config(), message, rev_id=number)
    else:
        with sql_engine.begin() as connection:
            script = command.revision(config(connection), message, autogenerate=True, rev_id=number)
    assert script is not None and not isinstance(script, list)
    head.cache_clear()
    known.cache_clear()
    return Path(script.path)


__all__ = ["BASELINE", "SCRIPTS", "VERSION_TABLE", "config", "current", "downgrade", "head", "known",
           "revision", "stamp_head", "state", "upgrade"]
