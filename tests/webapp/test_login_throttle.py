"""The login throttle at /login and POST /api/v1/login: it holds a guesser, not everyone behind the
same address; X-Forwarded-For only behind a configured proxy; state shared through the database."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import ConfigError
from engine.models import LoginAttempt
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db

HOME, GUESSER = "10.1.0.7", "203.0.113.66"


def browser(app, address: str = "127.0.0.1", forwarded_for: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded_for:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def csrf(client, page: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).get_data(as_text=True)).group(1)


def login(client, username: str, password: str = "demo123"):
    data = {"username": username, "password": password, "csrf_token": csrf(client)}
    return client.post("/login", data=data)


def addresses(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(LoginAttempt.address).where(LoginAttempt.succeeded.is_(False))
                                  .order_by(LoginAttempt.id)).all()


@pytest.fixture
def other_app(app, tmp_path, app_clock):
    """A second server process on the same database, as behind a load balancer."""
    second = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, WTF_CSRF_ENABLED=True)
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def test_failures_on_one_account_do_not_lock_out_the_others_at_that_address(app, client, auth):
    for _ in range(5):
        assert auth.login("cs_wang", "nope").status_code == 401
    assert auth.login("cs_wang", "demo123").status_code == 429
    response = auth.login("cs_li", "demo123")  # a colleague at the same store, same address
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")


def test_a_guesser_elsewhere_does_not_lock_out_the_person_at_their_usual_address(app):
    person = browser(app, HOME)
    assert login(person, "cs_li").status_code == 302
    person.post("/logout", data={"csrf_token": csrf(person, "/tasks")})
    guesser = browser(app, GUESSER)
    for _ in range(5):
        assert login(guesser, "cs_li", "guess").status_code == 401
    refused = login(guesser, "cs_li", "demo123")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "登录失败次数过多，请 1 分钟后再试。" in refused.get_data(as_text=True)
    assert browser(app, GUESSER).post("/api/v1/login", json={"username": "cs_li", "password": "demo123"}) \
        .status_code == 429  # the API's login is the same throttle
    assert login(person, "cs_li").status_code == 302


def test_each_further_failure_doubles_the_wait_on_the_injected_clock(app, client, auth, app_clock):
    for _ in range(5):
        auth.login("cs_wang", "nope")
    assert auth.login("cs_wang", "nope").headers["Retry-After"] == "60"
    app_clock.advance(seconds=60)
    assert auth.login("cs_wang", "nope").status_code == 401
    refused = client.post("/api/v1/login", json={"username": "cs_wang", "password": "nope"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "120"
    assert refused.get_json()["message"] == "登录失败次数过多，请 2 分钟后再试。"
    client.post("/account/language", data={"locale": "en", "csrf_token": csrf(client)})
    assert "Please try again in 2 minutes." in auth.login("cs_wang", "nope").get_data(as_text=True)


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(app):
    app.config["LOGIN_THROTTLE_ADDRESS_ATTEMPTS"] = 3
    for n in range(3):  # a guesser rotating a header anyone can write
        assert login(browser(app, GUESSER, f"198.51.100.{n}"), f"user{n}", "guess").status_code == 401
    assert addresses(app) == [GUESSER] * 3
    assert login(browser(app, GUESSER, "198.51.100.99"), "user3", "guess").status_code == 429


def test_x_forwarded_for_is_honoured_behind_a_configured_proxy(monkeypatch, tmp_path, app_clock):
    monkeypatch.setenv("OPSFLOW_TRUSTED_PROXIES", "1")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'proxied.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, WTF_CSRF_ENABLED=True,
                     LOGIN_THROTTLE_ADDRESS_ATTEMPTS=3)
    prepare(app)
    proxy = "127.0.0.1"  # every request arrives from our proxy
    assert login(browser(app, proxy, HOME), "cs_li").status_code == 302
    for n in range(3):
        login(browser(app, proxy, f"198.51.100.{n}"), f"user{n}", "guess")
    for _ in range(3):
        # the left part is the client's own claim, not believed; the proxy appended what it saw
        login(browser(app, proxy, f"1.2.3.4, {GUESSER}"), "cs_li", "guess")
    assert addresses(app) == [f"198.51.100.{n}" for n in range(3)] + [GUESSER] * 3
    assert login(browser(app, proxy, "198.51.100.99"), "user3", "guess").status_code == 401
    assert login(browser(app, proxy, GUESSER), "cs_li").status_code == 429
    assert login(browser(app, proxy, HOME), "cs_li").status_code == 302
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("value", ["yes", "-1", "1.5", "²"])
def test_a_bad_trusted_proxies_setting_is_refused(monkeypatch, value):
    monkeypatch.setenv("OPSFLOW_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="OPSFLOW_TRUSTED_PROXIES"):
        create_app("test")


def test_two_server_processes_on_one_database_share_the_throttle(app, client, auth, other_app):
    for _ in range(5):
        assert auth.login("cs_wang", "nope").status_code == 401
    assert login(other_app.test_client(), "cs_wang").status_code == 429
    api_login = other_app.test_client().post("/api/v1/login",
                                             json={"username": "cs_wang", "password": "demo123"})
    assert api_login.status_code == 429
