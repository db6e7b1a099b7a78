"""Security headers on every response (issue 9, finding 7): every GET route as the people who may
open it, error pages, the login page, static files; no template keeps script or style inline."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import load_config
from webapp import create_app

REPO = Path(__file__).resolve().parents[2]
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
          "frame-ancestors 'none'")
HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
           "Cross-Origin-Opener-Policy": "same-origin"}
WALKERS = ("admin", "director", "cs_li")


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0].lower(): words[1:] for words in parts}


def assert_secured(response, where: str) -> None:  # type: ignore[no-untyped-def]
    """Our policy, or a view's own stricter one; never inline or eval'd script, never framed."""
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{where}: no Content-Security-Policy"
    found = directives(policy)
    default = found.get("default-src", [])
    for name in ("script-src", "style-src"):
        sources = found.get(name, default)
        assert set(sources) <= {"'self'", "'none'"}, f"{where}: {name} {sources}"
    assert found.get("object-src", default) == ["'none'"], f"{where}: plugins allowed"
    assert found.get("frame-ancestors") == ["'none'"], f"{where}: may be framed"
    assert found.get("base-uri") in (["'self'"], ["'none'"]), f"{where}: base-uri"
    assert found.get("form-action"), f"{where}: form-action"
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), where
    assert "Strict-Transport-Security" not in response.headers, f"{where}: HSTS outside production"


def fetch(client, url: str, **kwargs):  # type: ignore[no-untyped-def]
    """GET and close the response (files are streamed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_every_get_route_carries_the_headers_for_everyone(app, client, auth, api, walk_routes):
    routes = walk_routes(app)
    statuses: dict[str, dict[str, int]] = {url: {} for _, url in routes}
    for who in ("anonymous", *WALKERS):
        # the API as the same person (GET /api/v1/processes/<key> is a 404 for whoever may not start it)
        bearer = {"Authorization": f"Bearer {api.token(who)}"} if who != "anonymous" else {}
        if who != "anonymous":
            assert auth.login(who).status_code == 302, who
        for rule, url in routes:
            response = fetch(client, url, headers=bearer if rule.startswith("/api/") else {})
            assert_secured(response, f"{url} as {who} ({response.status_code})")
            statuses[url][who] = response.status_code
        if who != "anonymous":
            auth.logout()
    # the home page, and the case pages' old address
    redirects = {"/", "/instances", "/instances/<path:rest>"}
    unseen = [f"{url}: {statuses[url]}" for rule, url in routes
              if 200 not in statuses[url].values() and rule not in redirects]
    assert not unseen, "pages nobody could open (headers seen on errors only):\n" + "\n".join(unseen)
    assert len(routes) >= 30


def test_the_login_page_has_exactly_the_documented_policy(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == POLICY
    assert_secured(response, "/login")


def test_static_files_are_not_sniffed(client):
    for url in ("/static/app.js", "/static/app.css", "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
                "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"):
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert_secured(response, url)


def test_error_pages_carry_the_headers(app, client, auth):
    assert_secured(fetch(client, "/no-such-page"), "404")
    assert_secured(fetch(client, "/logout"), "405")
    without_token = client.post("/login", data={"username": "cs_li", "password": "demo123"})
    assert without_token.status_code == 400
    assert_secured(without_token, "400 without CSRF token")
    assert_secured(fetch(client, "/api/v1/tasks"), "401 JSON")
    auth.login("cs_li")
    response = fetch(client, "/admin/")
    assert response.status_code == 403
    assert_secured(response, "403")
    assert_secured(auth.logout(), "redirect after a POST")


def test_a_server_error_page_carries_the_headers(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'boom.sqlite'}",
                     PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_secured(response, "500")


def test_a_views_own_stricter_policy_is_kept_and_cannot_be_framed(app, client, auth, walk_routes):
    attachment = next(url for rule, url in walk_routes(app) if rule.startswith("/attachments/"))
    auth.login("cs_li")
    response = fetch(client, attachment)
    assert response.status_code == 200
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert_secured(response, attachment)


def test_hsts_only_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-test-secret")
    monkeypatch.delenv("OPSFLOW_DEMO", raising=False)
    monkeypatch.delenv("OPSFLOW_STRICT_TRANSPORT_SECURITY", raising=False)
    production = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.sqlite'}")
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["Content-Security-Policy"] == POLICY
    for name in ("development", "test"):
        assert not load_config(name, environ={})["STRICT_TRANSPORT_SECURITY"], name
    settings = load_config("production", environ={"SECRET_KEY": "x",
                                                  "OPSFLOW_STRICT_TRANSPORT_SECURITY": "max-age=300"})
    assert settings["STRICT_TRANSPORT_SECURITY"] == "max-age=300"



@pytest.mark.parametrize("value", ["DENY\r\nSet-Cookie: session=stolen", "DENY\n", "拒绝"])
def test_a_header_that_is_not_one_line_of_ascii_is_refused_at_start(tmp_path, value):
    with pytest.raises(ValueError, match="'X-Frame-Options'"):
        create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.sqlite'}",
                   SECURITY_HEADERS={"X-Frame-Options": value})

# ---------------------------------------------------------------------------
# Nothing inline: the policy above refuses it, so a template that keeps any would break its page.
# ---------------------------------------------------------------------------

TEMPLATES = sorted((REPO / "webapp" / "templates").rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
JSON_DATA = re.compile(r"""\btype=["']application/json["']""", re.I)
HANDLER = re.compile(r"""(?<![\w-])on[a-z]+\s*=\s*["'{]""", re.I)
INLINE_STYLE = re.compile(r"""<style\b|(?<![\w-])style\s*=\s*["'{]""", re.I)


def inline_code(text: str) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(text):
        attributes, body = match.group(1), match.group(2).strip()
        if JSON_DATA.search(attributes):
            if not re.fullmatch(r"\{\{[^{}]*\|\s*tojson\s*\}\}", body):
                found.append(f"JSON data not written with |tojson: {match.group(0)[:80]}")
        elif "src=" not in attributes or body:
            found.append(f"inline script: {match.group(0)[:80]}")
    found += [f"handler attribute: {m.group(0)}" for m in HANDLER.finditer(text)]
    found += [f"javascript: URL at {m.start()}" for m in re.finditer(r"javascript\s*:", text, re.I)]
    found += [f"inline style: {m.group(0)}" for m in INLINE_STYLE.finditer(text)]
    return found


def test_templates_have_no_inline_script_handler_or_style():
    assert len(TEMPLATES) > 20
    offences = {str(path.relative_to(REPO)): inline_code(path.read_text("utf-8")) for path in TEMPLATES}
    assert not {path: found for path, found in offences.items() if found}


@pytest.mark.parametrize("snippet", [
    '<script>alert(1)</script>', '<script src="/static/x.js">alert(1)</script>',
    '<a href="#" onclick="go()">', '<body onload = "x()">', '<a href="JavaScript:go()">',
    '<style>p {}</style>', '<div style="color: red">',
    '<script type="application/json" id="d">{"a": {{ a }}}</script>'])
def test_the_template_check_finds_each_kind(snippet):
    assert inline_code(snippet)


def test_the_template_check_allows_what_the_policy_allows():
    assert not inline_code('<script src="{{ url_for(\'static\', filename=\'app.js\') }}"></script>'
                           '<script type="application/json" id="state">{{ view.state()|tojson }}</script>'
                           '<button data-confirm="on=off" data-bs-toggle="collapse">')


def test_our_scripts_need_no_eval():
    for path in sorted((REPO / "webapp" / "static").glob("*.js")):
        text = path.read_text("utf-8")
        assert not re.search(r"\beval\s*\(|new\s+Function\b|set(Timeout|Interval)\(\s*[\"']", text), path.name
        assert not re.search(r"""setAttribute\(\s*["'](style|on[a-z]+)["']""", text), path.name
