"""flaskr-style fixtures: `app`, `client`, `runner`, `auth`, `api` — on a fresh SQLite file with
the real models deployed and the demo cast loaded, and a frozen clock."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.clock import FrozenClock
from webapp import create_app
from webapp.bootstrap import prepare

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(tmp_path, app_clock):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, WTF_CSRF_ENABLED=True)
    prepare(app)
    yield app
    from webapp.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the current session, read from a rendered form."""
    import re
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, username: str = "cs_li", password: str = "demo123"):
        token = csrf_token(self._client)
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token})

    def logout(self):
        token = csrf_token(self._client, "/tasks")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


class Api:
    """The JSON API as one demo user: `api.as_("cs_li").post("/tasks/1/claim")`."""

    def __init__(self, client) -> None:
        self._client = client
        self._tokens: dict[str, str] = {}

    def token(self, username: str, password: str = "demo123") -> str:
        if username not in self._tokens:
            response = self._client.post("/api/v1/login", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["token"]
        return self._tokens[username]

    def as_(self, username: str) -> "_ApiUser":
        return _ApiUser(self._client, self.token(username))


class _ApiUser:
    def __init__(self, client, token: str) -> None:
        self._client, self._headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs):
        return self._client.get(f"/api/v1{path}", headers=self._headers, **kwargs)

    def post(self, path: str, json=None, headers=None, **kwargs):
        return self._client.post(f"/api/v1{path}", headers={**self._headers, **(headers or {})}, json=json,
                                 **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self._client.put(f"/api/v1{path}", headers=self._headers, json=json, **kwargs)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture(scope="session")
def webapp_postgres_url(own_postgres_database):
    """The web app's own database on the PostgreSQL test server."""
    with own_postgres_database("webapp") as url:
        yield url


@pytest.fixture
def postgres_app(webapp_postgres_url, tmp_path, app_clock):
    """The `app` fixture on PostgreSQL: a fresh schema, the real models, the demo cast."""
    from engine import schema
    from engine.db import make_sql_engine
    fresh = make_sql_engine(webapp_postgres_url)
    schema.drop_all(fresh)
    fresh.dispose()
    app = create_app("test", SQLALCHEMY_DATABASE_URI=webapp_postgres_url,
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, WTF_CSRF_ENABLED=True)
    prepare(app)
    yield app
    from webapp.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request):
    """The web app on SQLite (`app`), then on PostgreSQL (`postgres_app`)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")


@pytest.fixture(name="csrf_token")
def csrf_token_fixture():
    """`csrf_token(client, path)` for tests that make their own clients."""
    return csrf_token


@pytest.fixture
def deputy_sh001(app, app_clock) -> str:
    """A second store manager at SH001 (the demo cast has one, who gets SH001's tasks directly): with
    two, SH001's tasks wait in the pool for either to claim."""
    from engine.directory.accounts import RoleSpec, insert_user_unchecked
    from webapp.extensions import db
    with app.app_context():
        insert_user_unchecked(db.session, "deputy_sh001", "demo123", display_name="王副店长", now=app_clock(),
                              roles=[RoleSpec("store_manager", "SH001")])
        db.session.commit()
    return "deputy_sh001"
