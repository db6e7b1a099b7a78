"""Top-level pytest fixtures shared by every test package."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# Test services: PostgreSQL and Debian's chromium.
# `make test` starts them (scripts/test-services.sh) and exports
# OPSFLOW_TEST_POSTGRES_URL. When a service is missing, tests that need it are
# skipped locally, but fail when CI is set: CI must never skip them.
# ---------------------------------------------------------------------------

CHROMIUM_ARGS = [  # keep in sync with scripts/check-browser.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _service_missing(message: str):
    if _in_ci():
        pytest.fail(f"{message} (CI is set: these tests must not be skipped)", pytrace=False)
    pytest.skip(f"{message}; run the tests with `make test`")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the throwaway PostgreSQL test database."""
    url = os.environ.get("OPSFLOW_TEST_POSTGRES_URL", "").strip()
    url_file = REPO_ROOT / "instance" / "pgtest.url"
    if not url and url_file.is_file():
        url = url_file.read_text(encoding="utf-8").strip()
    if not url:
        _service_missing("no PostgreSQL test server (OPSFLOW_TEST_POSTGRES_URL is unset)")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, to pass as playwright's executable_path."""
    path = os.environ.get("OPSFLOW_TEST_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        _service_missing(f"no chromium at {path}")
    return path


@pytest.fixture(scope="session")
def chromium_args() -> list[str]:
    """Launch flags for chromium: p.chromium.launch(executable_path=chromium_path, args=chromium_args)."""
    return list(CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-output/screenshots (git-ignored; CI keeps test-output/)."""
    path = REPO_ROOT / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------
# Databases: every engine-level test runs on SQLite and on PostgreSQL.
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def own_postgres_database(postgres_url: str):
    """`with own_postgres_database("engine") as url:` a database of its own on the PostgreSQL test
    server, dropped afterwards: other test packages (and other runs against the same server) drop and
    re-create the schema of the shared one."""
    import contextlib

    from sqlalchemy import create_engine, make_url, text

    @contextlib.contextmanager
    def database(purpose: str):
        url = make_url(postgres_url)
        name = f"{url.database}_{purpose}_{os.getpid()}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return database


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """A database URL with an empty OpsFlow schema: a SQLite file, or the PostgreSQL test server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'opsflow.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sessions(db_url):
    """A sessionmaker on a fresh schema (dropped and re-created for each test)."""
    from engine import schema
    from engine.db import make_sessions, make_sql_engine

    sql_engine = make_sql_engine(db_url)
    schema.drop_all(sql_engine)
    schema.create_all(sql_engine)
    yield make_sessions(sql_engine)
    sql_engine.dispose()


@pytest.fixture
def clock():
    from engine.clock import FrozenClock
    return FrozenClock()


# ---------------------------------------------------------------------------
# Every GET route of the web app, for tests that must hold on every page.
# ---------------------------------------------------------------------------

WALK_CASE = {"customer_name": "路过女士", "customer_phone": "13900002222", "store_code": "NJ01",
             "channel": "store", "category": "service", "description": "遍历每个页面时用的投诉。",
             "amount_claimed": 0}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _walk_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(rule, URL) for every GET route of `app`, after giving it a case (cs_li's complaint at NJ01,
    with an open task and a photo, and a stocktake for its count sheet) so that every id in a URL names
    something real."""
    import io

    from sqlalchemy import select

    from engine.attachments import store_attachment
    from engine.models import ModelFile, ProcessDefinition, ProcessVersion, Robot, User
    from webapp.extensions import db, engine

    with app.app_context():
        session, runtime = db.session, engine()
        starter = session.scalars(select(User).filter_by(username="cs_li")).one()
        case = runtime.start(session, "complaint_handling", starter, WALK_CASE)
        photo = store_attachment(session, starter, io.BytesIO(PNG), "walk.png",
                                 upload_dir=app.config["UPLOAD_DIR"], now=runtime.clock(),
                                 max_bytes=app.config["ATTACHMENT_MAX_BYTES"], instance_id=case.id,
                                 rules=runtime.supervision)
        counter = session.scalars(select(User).filter_by(username="merch_zhao")).one()
        count = runtime.start(session, "monthly_stocktake", counter, {"store_code": "SH001"})  # its sheet
        filename = session.scalars(
            select(ModelFile.filename).join(ProcessVersion).join(ProcessDefinition)
            .where(ProcessDefinition.key == case.process_key, ProcessVersion.version == case.version)
            .order_by(ModelFile.filename)).first()
        robot = Robot(name="walk", kind="wecom", scope="center", scope_value=None, url="http://127.0.0.1:9/",
                      secret=None, events=[], active=True, created_at=runtime.clock())
        session.add(robot)
        session.flush()
        values = {"instance_id": case.id, "case_id": case.id, "task_id": case.open_tasks[0].id,
                  "robot_id": robot.id,
                  "key": case.process_key, "version": case.version, "filename": filename,
                  "code": case.store_code, "user_id": starter.id, "attachment_id": photo.id}
        session.commit()
    per_endpoint = {"static": {"filename": "app.js"}, "cases.moved": {"rest": str(values["case_id"])},
                    "tasks.import_template": {"task_id": count.open_tasks[0].id, "field": "count_lines",
                                              "kind": "csv"},
                    "admin.edit_form": {"filename": "investigate.json"},
                    "admin.edit_decision": {"filename": "compensation_approval.dmn"},
                    "api.process_version_diff": {"against": case.version}}
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        given = {**values, **per_endpoint.get(rule.endpoint, {})}
        missing = sorted(rule.arguments - given.keys())
        assert not missing, f"{rule.rule}: teach _walk_routes (tests/conftest.py) a value for {missing}"
        extra = per_endpoint.get(rule.endpoint, {})
        query = {name: v for name, v in extra.items() if name not in rule.arguments}
        urls.append((rule.rule, rule.build({**{name: given[name] for name in rule.arguments}, **query})[1]))
    return urls


@pytest.fixture(scope="session")
def walk_routes():
    """`walk_routes(app)`: every GET route of the app with a URL naming a real case, task, file..."""
    return _walk_routes
