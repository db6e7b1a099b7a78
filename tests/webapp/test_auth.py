"""Logging in and out of the web UI: hashed passwords, CSRF, throttling, safe redirects, cookies."""
from __future__ import annotations

import re


def token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_page_is_chinese_and_has_a_csrf_token(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html and "登录" in html
    assert 'name="csrf_token"' in html


def test_anonymous_visitors_are_sent_to_login(client):
    for path in ("/tasks", "/tasks/1", "/processes", "/outcomes", "/account", "/attachments/1"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login?next=" in response.headers["Location"]
    assert "请先登录" in client.get("/login").get_data(as_text=True)


def test_a_script_signed_out_gets_a_bare_401_that_leaves_the_session_alone(app):
    """The live counts poll after a sign-out must not flash into a new session: its cookie could land
    after the login page's and void the login form's CSRF token."""
    for headers in ({"Accept": "application/json"}, {"X-Requested-With": "fetch"}):
        client = app.test_client()
        response = client.get("/tasks/poll", headers=headers)
        assert response.status_code == 401, headers
        assert "Set-Cookie" not in response.headers
        assert "请先登录" not in client.get("/login").get_data(as_text=True)


def test_login_and_logout(client, auth):
    response = auth.login("cs_li")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")
    page = client.get("/tasks").get_data(as_text=True)
    assert "李客服" in page and "我的待办" in page
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/tasks").status_code == 302
    assert "您已退出登录" in client.get("/login").get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.login("cs_li")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_in_chinese(client, auth):
    response = auth.login("cs_li", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "cs_li", "password": "demo123"})
    assert response.status_code == 400
    assert client.get("/tasks").status_code == 302


def test_failed_logins_are_throttled(client, auth):
    for _ in range(5):
        assert auth.login("cs_wang", "nope").status_code == 401
    response = auth.login("cs_wang", "demo123")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302


def test_next_parameter_never_leaves_the_site(client):
    for target, expected in (("/processes", "/processes"), ("//evil.example/x", "/tasks"),
                             ("https://evil.example/", "/tasks")):
        client.get("/login")
        response = client.post(f"/login?next={target}", data={"username": "cs_li", "password": "demo123",
                                                              "csrf_token": token(client)})
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": token(client, "/tasks")})


def test_logout_needs_post_and_csrf(client, auth):
    auth.login("cs_li")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/tasks").status_code == 200
