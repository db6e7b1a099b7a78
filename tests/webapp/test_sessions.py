"""Web sessions end when they should: logout ends this browser's session (a copy of its cookie is
refused afterwards); a password reset, at /admin or `opsflow set-password`, and a deactivation end
every session and API token of that person, and nobody else's. Cookie flags."""
from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from engine.models import User
from webapp import create_app
from webapp.bootstrap import init_db
from webapp.cli import main
from webapp.extensions import db


def csrf_token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def browser(app, username: str):
    """A browser of its own, signed in as `username`."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "demo123",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    return client


def cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """Another browser carrying a copy of a session cookie."""
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def signed_in(client) -> bool:
    response = client.get("/tasks")
    assert response.status_code in (200, 302)
    return response.status_code == 200 or "/login" not in response.headers["Location"]


def token(client, username: str) -> str:
    response = client.post("/api/v1/login", json={"username": username, "password": "demo123"})
    return response.get_json()["token"]


def api_status(client, bearer: str) -> int:
    return client.get("/api/v1/processes", headers={"Authorization": f"Bearer {bearer}"}).status_code


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def admin_post(client, path: str, data: dict):
    page = path.removesuffix("/password")
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, auth):
    auth.login("cs_li")
    copied = cookie(client)
    assert signed_in(with_cookie(app, copied))
    auth.logout()
    thief = with_cookie(app, copied)
    response = thief.get("/tasks")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert thief.get("/api/v1/processes").status_code == 401  # the API never takes a cookie


def test_logging_in_again_ends_the_session_this_browser_had(app, client, auth):
    auth.login("cs_li")
    copied = cookie(client)
    auth.login("cs_wang")
    assert not signed_in(with_cookie(app, copied)) and signed_in(client)


def test_logout_ends_this_browsers_session_only(app, auth):
    phone = browser(app, "cs_li")
    auth.login("cs_li")
    auth.logout()
    assert signed_in(phone)


def test_a_password_reset_at_admin_ends_every_session_of_that_user_only(app, client, auth):
    desk, phone, colleague = browser(app, "cs_li"), browser(app, "cs_li"), browser(app, "cs_wang")
    li_token, wang_token = token(desk, "cs_li"), token(colleague, "cs_wang")
    copied = cookie(desk)
    auth.login("admin")
    assert admin_post(client, f"/admin/users/{user_id(app, 'cs_li')}/password",
                      {"password": "a-new-password"}).status_code == 303
    assert not signed_in(desk) and not signed_in(phone) and not signed_in(with_cookie(app, copied))
    assert api_status(desk, li_token) == 401
    assert signed_in(colleague) and api_status(colleague, wang_token) == 200
    assert signed_in(client)  # the administrator who did it


def test_an_admin_resetting_their_own_password_stays_signed_in_here_only(app, client, auth):
    other_device = browser(app, "admin")
    auth.login("admin")
    assert admin_post(client, f"/admin/users/{user_id(app, 'admin')}/password",
                      {"password": "a-new-password"}).status_code == 303
    assert signed_in(client) and not signed_in(other_device)


def test_set_password_at_the_console_ends_every_session(app, tmp_path):
    desk = browser(app, "cs_li")
    li_token = token(desk, "cs_li")
    env = {"OPSFLOW_CONFIG": "test", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_DEMO": "0"}
    result = CliRunner().invoke(main, ["set-password", "cs_li", "--password-stdin"], input="a-new-password\n",
                                env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not signed_in(desk) and api_status(desk, li_token) == 401


def test_deactivation_ends_every_session_and_reactivation_brings_none_back(app, client, auth):
    desk = browser(app, "cs_li")
    li_token = token(desk, "cs_li")
    auth.login("admin")
    page = f"/admin/users/{user_id(app, 'cs_li')}"
    details = {"display_name": "李客服", "email": "", "locale": "zh_CN", "roles-0-role": "cs_agent"}
    assert admin_post(client, page, details).status_code == 303  # `active` unticked
    assert not signed_in(desk) and api_status(desk, li_token) == 401
    assert admin_post(client, page, {**details, "active": "1"}).status_code == 303
    assert not signed_in(desk) and api_status(desk, li_token) == 401
    assert signed_in(browser(app, "cs_li"))  # a new login works again


def test_session_cookies_are_httponly_lax_and_secure_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "production-secret-for-a-test")
    monkeypatch.delenv("OPSFLOW_DEMO", raising=False)
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}")
    init_db(app)
    set_cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert {"HttpOnly", "SameSite=Lax", "Secure"} <= {part.strip() for part in set_cookie.split(";")}
    assert (app.config["REMEMBER_COOKIE_HTTPONLY"], app.config["REMEMBER_COOKIE_SAMESITE"],
            app.config["REMEMBER_COOKIE_SECURE"]) == (True, "Lax", True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
