"""The `opsflow` command (webapp/cli.py) and the configuration it builds the app from (config.py).

The commands build their own app from the environment, as `opsflow` does on a real machine, so
they are run with click's CliRunner and `OPSFLOW_CONFIG` / `DATABASE_URL` pointing at a temp file.
The last test starts `opsflow run` for real, the path `make run` takes.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from config import ConfigError, load_config
from engine import Engine, FrozenClock
from engine.db import make_sessions, make_sql_engine
from engine.models import HumanTask, ProcessDefinition, ProcessVersion, Store, User
from webapp.cli import main
from workflows.catalogue import catalogue

REPO = Path(__file__).resolve().parents[2]
PROCESS_KEYS = {"complaint_handling", "product_return", "store_opening", "new_product_launch", "ship_goods",
                "stock_transfer", "franchise_order", "expense_claim", "store_inspection", "monthly_stocktake"}

BROKEN_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_broken"
                  targetNamespace="http://opsflow.test/broken">
  <bpmn:process id="broken_review" name="坏模型" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="review_order"/>
    <bpmn:userTask id="review_order" name="审核"/>
    <bpmn:sequenceFlow id="flow_2" sourceRef="review_order" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "cli" / "opsflow.sqlite"


@pytest.fixture
def cli(tmp_path, db_file):
    """`cli("deploy", OPSFLOW_DEMO="0")` runs `opsflow deploy` on the temp database."""
    def invoke(*args: str, **env: str):
        base = {"OPSFLOW_CONFIG": "test", "DATABASE_URL": f"sqlite:///{db_file}",
                "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_BPMN_DIR": None,
                "OPSFLOW_FORMS_DIR": None, "OPSFLOW_DEMO": None, "SECRET_KEY": None}
        return CliRunner().invoke(main, list(args), env={**base, **env}, catch_exceptions=False)
    invoke.env = {"OPSFLOW_CONFIG": "test", "DATABASE_URL": f"sqlite:///{db_file}",  # type: ignore[attr-defined]
                  "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_BPMN_DIR": None,
                  "OPSFLOW_FORMS_DIR": None, "OPSFLOW_DEMO": None, "SECRET_KEY": None}
    return invoke


@pytest.fixture
def query(db_file):
    """Read the temp database the commands wrote: `query(select(...))` → list of rows."""
    sql_engine = make_sql_engine(f"sqlite:///{db_file}")
    sessions = make_sessions(sql_engine)

    def run(statement):
        with sessions() as session:
            return list(session.execute(statement).all())
    yield run
    sql_engine.dispose()


def _count(query, model) -> int:
    return query(select(func.count()).select_from(model))[0][0]


# -- init-db, deploy ---------------------------------------------------------------------------------

def test_init_db_creates_the_tables_and_the_folder_of_the_file(cli, db_file, query):
    assert not db_file.parent.exists()
    result = cli("init-db")
    assert result.exit_code == 0, result.output
    assert "database ready" in result.output
    assert _count(query, ProcessDefinition) == 0
    assert cli("init-db").exit_code == 0  # existing tables are kept


def test_deploy_prints_versions_and_a_second_deploy_changes_nothing(cli, query):
    first = cli("deploy")
    assert first.exit_code == 0, first.output
    for key in PROCESS_KEYS:
        assert f"{key}: version 1\n" in first.output
    assert "unchanged" not in first.output
    second = cli("deploy")
    assert second.exit_code == 0, second.output
    for key in PROCESS_KEYS:
        assert f"{key}: version 1 (unchanged)" in second.output
    assert {row[0] for row in query(select(ProcessDefinition.key))} == PROCESS_KEYS
    assert _count(query, ProcessVersion) == len(PROCESS_KEYS)


def test_deploy_refuses_a_broken_model_naming_file_and_element_and_stores_nothing(cli, tmp_path, query):
    models = tmp_path / "models"
    shutil.copytree(REPO / "bpmn", models)
    (models / "broken_review.bpmn").write_text(BROKEN_BPMN, encoding="utf-8")
    result = cli("deploy", OPSFLOW_BPMN_DIR=str(models))
    assert result.exit_code != 0
    assert "deploy refused" in result.output
    assert "broken_review.bpmn" in result.output and "review_order" in result.output
    assert _count(query, ProcessDefinition) == 0 and _count(query, ProcessVersion) == 0


# -- demo ----------------------------------------------------------------------------------------------

def test_demo_loads_the_cast_once(cli, query):
    first = cli("demo")
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    users = {row[0] for row in query(select(User.username))}
    assert {"admin", "director", "supervisor_east", "manager_sh001", "franchisee_nj01", "cs_li"} <= users
    assert {row[0] for row in query(select(Store.code))} == {"SH001", "SH002", "HZ001", "NJ01", "NJ02",
                                                             "SH003"}
    second = cli("demo")
    assert second.exit_code == 0, second.output
    assert "nothing loaded" in second.output
    assert _count(query, User) == len(users)


def test_demo_is_refused_outside_demo_mode(cli, query):
    result = cli("demo", OPSFLOW_DEMO="0")
    assert result.exit_code != 0
    assert "demo mode" in result.output
    assert _count(query, User) == 0


# -- add-user, set-password ----------------------------------------------------------------------------

def test_the_first_administrator_of_a_new_installation_is_made_at_the_console(cli, query):
    """Outside demo mode there is nobody to sign in as until `opsflow add-user` makes someone."""
    from engine.directory.accounts import verify_password
    from engine.models import AuditEvent, RoleAssignment
    result = CliRunner().invoke(main, ["add-user", "root", "--role", "admin", "--display-name", "系统管理员",
                                       "--password-stdin"], input="a-long-secret\n",
                                env=_env(cli), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "user root created with admin" in result.output
    [(user_id, password_hash, display)] = query(select(User.id, User.password_hash, User.display_name))
    assert verify_password(password_hash, "a-long-secret") and display == "系统管理员"
    assert query(select(RoleAssignment.role, RoleAssignment.store_code)) == [("admin", None)]
    assert query(select(AuditEvent.event_type, AuditEvent.actor_id, AuditEvent.message)) == \
        [("user_created", None, "root")]
    again = CliRunner().invoke(main, ["set-password", "root", "--password-stdin"], input="another-secret\n",
                               env=_env(cli), catch_exceptions=False)
    assert again.exit_code == 0, again.output
    [(password_hash,)] = query(select(User.password_hash))
    assert verify_password(password_hash, "another-secret")


@pytest.mark.parametrize("args, says", [
    (["add-user", "Bad Name", "--role", "admin"], "username: invalid"),
    (["add-user", "li.na", "--role", "store_manager:XX99"], "roles.0.store_code: unknown"),
    (["add-user", "li.na", "--role", "store_manager"], "roles.0.store_code: required"),
    (["add-user", "li.na", "--role", "wizard"], "roles.0.role: unknown"),
    (["set-password", "nobody"], "user 'nobody' does not exist"),
])
def test_console_accounts_are_validated_and_nothing_is_stored_when_refused(cli, query, args, says):
    result = CliRunner().invoke(main, [*args, "--password-stdin"], input="long-enough-1\n", env=_env(cli))
    assert result.exit_code != 0 and says in result.output, result.output
    assert _count(query, User) == 0


def test_a_short_password_is_refused_at_the_console(cli, query):
    result = CliRunner().invoke(main, ["add-user", "root", "--role", "admin", "--password-stdin"],
                                input="short\n", env=_env(cli))
    assert result.exit_code != 0 and "password: too_short" in result.output
    assert _count(query, User) == 0


def _env(cli) -> dict[str, str]:
    """The environment `cli` runs with, for commands that need stdin (CliRunner's `input`)."""
    return {**cli.env, "OPSFLOW_DEMO": "0"}


# -- fire-timers ---------------------------------------------------------------------------------------

def test_fire_timers_with_nothing_due(cli):
    assert cli("deploy").exit_code == 0
    result = cli("fire-timers")
    assert result.exit_code == 0, result.output
    assert "fired timers of 0 case(s)" in result.output


def test_fire_timers_fires_an_overdue_complaint_sla(cli, db_file, query):
    """A complaint started (by a clock in 2020) whose SLA timer has long passed: the command,
    on the wall clock, fires it and cs_manager gets the escalation task."""
    assert cli("deploy").exit_code == 0 and cli("demo").exit_code == 0
    sql_engine = make_sql_engine(f"sqlite:///{db_file}")
    try:
        engine = Engine(clock=FrozenClock(datetime(2020, 3, 2, 1, 0, tzinfo=timezone.utc)),
                        catalogue=catalogue())
        with make_sessions(sql_engine)() as session:
            cs_li = session.scalar(select(User).where(User.username == "cs_li"))
            case = engine.start(session, "complaint_handling", cs_li, {
                "customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
                "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
                "amount_claimed": 0})
            session.commit()
    finally:
        sql_engine.dispose()
    open_before = {row[0] for row in query(select(HumanTask.lane_role).where(
        HumanTask.instance_id == case.id, HumanTask.state == "open"))}
    assert "cs_manager" not in open_before
    result = cli("fire-timers")
    assert result.exit_code == 0, result.output
    assert "fired timers of 1 case(s)" in result.output
    open_after = {row[0] for row in query(select(HumanTask.lane_role).where(
        HumanTask.instance_id == case.id, HumanTask.state == "open"))}
    assert "cs_manager" in open_after
    assert cli("fire-timers").output.strip().endswith("fired timers of 0 case(s)")


# -- configuration -------------------------------------------------------------------------------------

def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config("production", environ={})
    assert load_config("production", environ={"SECRET_KEY": "s3cret"})["SECRET_KEY"] == "s3cret"


def test_production_refuses_demo_data():
    with pytest.raises(ConfigError, match="demo"):
        load_config("production", environ={"SECRET_KEY": "s3cret", "OPSFLOW_DEMO": "1"})


def test_the_cli_reports_a_refused_configuration(cli):
    result = cli("init-db", OPSFLOW_CONFIG="production")
    assert result.exit_code != 0
    assert "configuration refused" in result.output and "SECRET_KEY" in result.output


def test_environment_overrides_the_config_class(tmp_path):
    settings = load_config("development", environ={
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "from-env",
        "OPSFLOW_BPMN_DIR": str(tmp_path), "OPSFLOW_DEMO": "0", "OPSFLOW_SCHEDULER": "false",
        "OPSFLOW_SMTP_PORT": "2525"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["BPMN_DIR"] == str(tmp_path)
    assert settings["DEMO_DATA"] is False and settings["SCHEDULER_ENABLED"] is False
    assert settings["SMTP_PORT"] == 2525
    defaults = load_config("development", environ={})
    assert defaults["DEMO_DATA"] is True
    assert defaults["SQLALCHEMY_DATABASE_URI"].endswith("instance/opsflow.sqlite")


def test_the_config_class_comes_from_opsflow_config():
    assert load_config(environ={"OPSFLOW_CONFIG": "test"})["CONFIG_NAME"] == "test"
    assert load_config(environ={})["CONFIG_NAME"] == "development"
    with pytest.raises(ConfigError, match="unknown configuration"):
        load_config(environ={"OPSFLOW_CONFIG": "staging"})


@pytest.mark.parametrize("given, expected", [
    ("postgres://ops:pw@db:5432/opsflow", "postgresql+psycopg://ops:pw@db:5432/opsflow"),
    ("postgresql://ops:pw@db/opsflow", "postgresql+psycopg://ops:pw@db/opsflow"),
    ("postgresql+psycopg://ops@db/opsflow", "postgresql+psycopg://ops@db/opsflow"),
])
def test_postgres_urls_are_normalised(given, expected):
    assert load_config("test", environ={"DATABASE_URL": given})["SQLALCHEMY_DATABASE_URI"] == expected


# -- opsflow run: the path of `make run` --------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _opsflow_command() -> list[str]:
    script = Path(sys.executable).with_name("opsflow")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from webapp.cli import main; main()"]


def _stop(server: subprocess.Popen) -> None:
    """End a server a test started, killed if it does not stop when asked."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_opsflow_run_serves_a_new_database_with_models_and_demo_users(tmp_path):
    port, db_file = _free_port(), tmp_path / "instance" / "opsflow.sqlite"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OPSFLOW_") and k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(OPSFLOW_CONFIG="development", DATABASE_URL=f"sqlite:///{db_file}",
               OPSFLOW_UPLOAD_DIR=str(tmp_path / "uploads"))
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([*_opsflow_command(), "run", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    status = response.status
                    page = response.read().decode("utf-8")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)  # the server is still starting
        output = (tmp_path / "server.log").read_text("utf-8", errors="replace")
        assert status == 200, f"GET /login never answered 200 (exit code {server.poll()}):\n{output}"
        assert 'name="password"' in page
    finally:
        _stop(server)
        log.close()

    sql_engine = make_sql_engine(f"sqlite:///{db_file}")
    try:
        with make_sessions(sql_engine)() as session:
            users = set(session.scalars(select(User.username)))
            keys = set(session.scalars(select(ProcessDefinition.key)))
    finally:
        sql_engine.dispose()
    assert {"admin", "director", "supervisor_east", "manager_sh001", "cs_li", "analyst_zheng"} <= users
    assert keys == PROCESS_KEYS
