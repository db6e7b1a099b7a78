"""`opsflow db` (webapp/migrate_cli.py) on a temp SQLite file, as an operator runs it; and
`opsflow init-db`, which the startup of `opsflow run` / `serve` / `worker` shares, upgrading an
installation made before migrations. The migrations themselves are tested in
tests/engine/test_migrations.py on both databases."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from engine import migrations
from engine.db import make_sql_engine
from webapp.cli import main


@pytest.fixture
def db_file(tmp_path):
    return tmp_path / "opsflow.sqlite"


@pytest.fixture
def cli(tmp_path, db_file):
    def invoke(*args: str):
        env = {"OPSFLOW_CONFIG": "test", "DATABASE_URL": f"sqlite:///{db_file}",
               "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_BPMN_DIR": None,
               "OPSFLOW_FORMS_DIR": None, "OPSFLOW_DEMO": None, "SECRET_KEY": None}
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output
    return invoke


def test_upgrade_current_downgrade(cli, db_file):
    head = migrations.head()
    assert cli("db", "current") == f"none (behind; head is {head})\n"
    assert cli("db", "upgrade") == f"schema at {head} (was empty)\n"
    assert cli("db", "current") == f"{head} (head; head is {head})\n"
    assert cli("db", "upgrade") == f"schema at {head}\n"
    assert cli("db", "downgrade", migrations.BASELINE) == f"schema at {migrations.BASELINE} (was {head})\n"
    assert cli("db", "current") == f"{migrations.BASELINE} (behind; head is {head})\n"
    assert cli("db", "upgrade") == f"schema at {head} (was {migrations.BASELINE})\n"


def test_init_db_upgrades_an_installation_made_before_migrations(cli, db_file):
    """What the first start of the new release does to a database of today: stamp it as the
    baseline, then add what came after."""
    cli("db", "upgrade", migrations.BASELINE)
    sql_engine = make_sql_engine(f"sqlite:///{db_file}")
    with sql_engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert cli("init-db") == "database ready\n"
    assert cli("db", "current").startswith(f"{migrations.head()} (head;")
    assert "owner" in {c["name"] for c in inspect(sql_engine).get_columns("store")}
    sql_engine.dispose()


def test_revision_writes_the_next_numbered_script(cli, db_file, tmp_path, monkeypatch):
    """On a copy of the scripts: `opsflow db revision -m ...` compares the models with a database at
    head and writes `<next number>_<slug>.py` after the head (empty here: nothing differs)."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations.SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrations, "SCRIPTS", scripts)
    migrations.head.cache_clear()
    migrations.known.cache_clear()
    try:
        cli("db", "upgrade")
        number = f"{max(int(r) for r in migrations.known()) + 1:04d}"
        output = cli("db", "revision", "-m", "job leases")
        written = scripts / "versions" / f"{number}_job_leases.py"
        assert output.strip().endswith(str(written)), output
        source = written.read_text("utf-8")
        assert f'revision = "{number}"' in source.replace("'", '"')
        assert f'down_revision = "{number_before(number)}"' in source.replace("'", '"')
        assert "op." not in source.split("def upgrade")[1]  # nothing to do: the models are the head
    finally:
        monkeypatch.undo()
        migrations.head.cache_clear()
        migrations.known.cache_clear()


def number_before(number: str) -> str:
    return f"{int(number) - 1:04d}"
