"""The fuzzing of issue 9 replayed against every route, on SQLite and on PostgreSQL: JSON nested a
thousand deep, lone surrogates and NUL in keys and values, NaN and Infinity, ids and paging numbers
beyond 2^63, a megabyte in one field, bodies over the size limit. Each must be refused with the
right 4xx (never a 500), the refusal must say what was wrong in a few words, and a refused request
must change nothing in the database.

Routes come from `app.url_map`, so a route added tomorrow is replayed too.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from webapp.extensions import db

BEYOND = (2**31, 2**63, 10**30)  # past PostgreSQL's INTEGER, past SQLite's (and BIGINT), very long
URL_VALUES = {"key": "complaint_handling", "action": "terminate", "filename": "complaint_handling.bpmn",
              "code": "SH001", "version": 1}
COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，等了很久没人理。",
             "amount_claimed": 0}
FINDINGS = {"findings": "店员态度不好", "root_cause": "培训不足", "resolution_type": "apology",
            "compensation_amount": 0, "resolution_plan": "道歉并加强培训"}
HOSTILE_JSON = {
    "nested 1000 deep": b"[" * 1000 + b"]" * 1000,
    "objects nested 1000 deep": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "nested 65 deep inside the data": b'{"data": {"findings": ' + b"[" * 65 + b"]" * 65 + b"}}",
    "100,000 brackets never closed": b"[" * 100_000,
    "lone surrogate in values": b'{"username": "\\ud800", "password": "x", "reason": "\\ud800",'
                                b' "body": "\\ud800", "user": "\\ud800", "data": {"findings": "\\ud800"}}',
    "lone surrogate in keys": b'{"\\ud800": 1, "data": {"\\udfff": "x"}}',
    "surrogate as UTF-8 bytes": b'{"username": "\xed\xa0\x80", "reason": "\xed\xa0\x80"}',
    "NUL in values": b'{"username": "a\\u0000", "reason": "\\u0000", "data": {"findings": "a\\u0000b"}}',
    "NaN": b'{"data": {"compensation_amount": NaN, "amount_claimed": NaN}}',
    "Infinity": b'{"data": {"compensation_amount": Infinity}}',
    "-Infinity": b'{"data": {"compensation_amount": -Infinity}}',
    "1e999": b'{"data": {"compensation_amount": 1e999}}',
    "not JSON": b'{"data": ',
    "a letter outside any string": "[é]".encode(),
    "not UTF-8": b'{"username": "\xff"}',
}
WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
#: Every query parameter a view reads, found in the source so that a new one is replayed too.
QUERY_NAMES = sorted({name for path in WEBAPP.rglob("*.py") for name in re.findall(
    r'(?:args\.get|args\.getlist|text|flag|integer|optional_integer|moment|pick|number)\("([a-z_]+)"',
    path.read_text("utf-8"))})
HOSTILE_QUERY = ("9223372036854775808", str(10**30), "2147483648", "NaN", "-1e999", "١٢", "²", "%ED%A0%80",
                 "x" * 5000, "9999-12-31", "0001-01-01", "9999-12-31T23:59:59-23:59",
                 "0001-01-01T00:00:00%2B23:59")


class Site:
    """One app with a complaint whose investigation manager_sh001 holds, an admin logged in for the
    HTML routes and bearer tokens for the API; `rows()` is everything the database holds."""

    def __init__(self, app: Any, csrf_token: Any) -> None:
        self.app, self._csrf_token = app, csrf_token
        self.client = app.test_client()
        self.csrf = self.login(self.client, "admin")
        self.tokens: dict[str, str] = {}
        case = self.api("cs_li", "POST", "/processes/complaint_handling/instances", json={"data": COMPLAINT})
        self.instance_id, self.task_id = case.get_json()["id"], case.get_json()["open_tasks"][0]["id"]
        assert self.api("manager_sh001", "POST", f"/tasks/{self.task_id}/claim").status_code == 200
        self.token("director")

    def login(self, client: Any, username: str) -> str:
        """Log `client` in as `username`; the CSRF token of its session."""
        csrf = self._csrf_token(client, "/login")
        client.post("/login", data={"username": username, "password": "demo123", "csrf_token": csrf})
        return self._csrf_token(client, "/tasks")

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/login", json={"username": username, "password": "demo123"})
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def api(self, username: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token(username)}", **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        """`path` as the API's director or the logged-in admin (with the form's CSRF token)."""
        if path.startswith("/api/"):
            kwargs.setdefault("headers", {"Authorization": f"Bearer {self.token('director')}"})
        elif method == "POST" and "data" not in kwargs:
            kwargs["data"] = {"csrf_token": self.csrf}
        response = self.client.open(path, method=method, **kwargs)
        response.get_data()  # a streamed response (the CSV export) runs to its end inside its request
        return response

    def rows(self) -> dict[str, list[str]]:
        with self.app.app_context():
            return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(table.select()))
                    for table in db.metadata.sorted_tables}

    def url(self, rule: Rule, ints: Any = None, **values: Any) -> str:
        """A URL of `rule`: its id parts from `ints` (the case's own ids when None), the rest plausible."""
        filled = {}
        for name in rule.arguments:
            if name in id_arguments(rule):
                filled[name] = ints if ints is not None else \
                    (self.instance_id if "instance" in name else self.task_id)
            else:
                filled[name] = values.get(name, URL_VALUES.get(name, "x"))
        return rule.build(filled, append_unknown=False)[1]


def id_arguments(rule: Rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]


def routes(app: Any, method: str, api: bool) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if method in rule.methods
            and rule.rule.startswith("/api/") == api and rule.endpoint != "static"]


def assert_refusal(response: Any, status: int, where: str) -> dict[str, Any]:
    """The status, and for the API a short error in its JSON shape (itself valid, strict JSON)."""
    assert response.status_code == status, (where, response.status_code, response.get_data()[:300])
    if not where.split()[-1].startswith("/api/"):
        return {}
    body = json.loads(response.get_data(), parse_constant=lambda word: pytest.fail(f"{word} in {where}"))
    assert set(body) == {"error", "message", "fields"} and body["message"], where
    assert len(response.get_data()) < 2000, where
    return body


@pytest.fixture(params=["sqlite", "postgres"])
def site(request, csrf_token) -> Site:
    return Site(request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app"), csrf_token)


def test_ids_beyond_the_integer_range_are_404_on_every_id_route(site):
    before, replayed = site.rows(), []
    for rule in site.app.url_map.iter_rules():
        if not id_arguments(rule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for number in BEYOND:
                path = site.url(rule, number)
                assert_refusal(site.send(method, path), 404, f"{method} {path}")
            path = site.url(rule, 2**31 - 1)  # the largest id there can be: no row, and no 500
            assert site.send(method, path).status_code < 500, f"{method} {path}"
            replayed.append(f"{method} {rule.rule}")
    assert len(replayed) >= 25 and "POST /api/v1/tasks/<int:task_id>/complete" in replayed
    assert site.rows() == before


def test_nul_in_a_url_part_is_404(site):
    before = site.rows()
    replayed = []
    for rule in site.app.url_map.iter_rules():
        texts = [name for name, converter in rule._converters.items()
                 if not isinstance(converter, (IntegerConverter, AnyConverter))]
        if not texts or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = site.url(rule, **{name: "NUL-HERE" for name in texts}).replace("NUL-HERE", "a%00b")
            assert site.send(method, path).status_code == 404, f"{method} {path}"
            replayed.append(rule.rule)
    assert "/api/v1/processes/<key>/instances" in replayed
    assert site.rows() == before


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_hostile_json_is_400_on_every_api_post_route(site, name):
    before, posted = site.rows(), []
    for rule in routes(site.app, "POST", api=True):
        path = site.url(rule)
        for headers in ({"Content-Type": "application/json"}, {"Content-Type": "text/plain"}):
            response = site.send("POST", path, data=HOSTILE_JSON[name], headers={
                **headers, "Authorization": f"Bearer {site.token('manager_sh001')}"})
            body = assert_refusal(response, 400, f"{name}: POST {path}")
            assert body["error"] == "bad_request" and body["fields"], (name, path, body)
        posted.append(rule.rule)
    assert {"/api/v1/login", "/api/v1/tasks/<int:task_id>/complete"} <= set(posted)
    assert site.rows() == before


def test_a_body_over_the_size_limit_is_413_in_the_apis_shape(site):
    before = site.rows()
    too_large = b" " * (site.app.config["MAX_CONTENT_LENGTH"] + 1)
    for rule in routes(site.app, "POST", api=True):
        path = site.url(rule)
        response = site.send("POST", path, data=too_large, content_type="application/json")
        assert assert_refusal(response, 413, f"POST {path}")["error"] == "request_entity_too_large"
    assert site.rows() == before


def test_a_megabyte_in_one_field_is_refused_with_a_short_excerpt(site):
    before = site.rows()
    huge = "很" * 1_000_000
    completed = site.api("manager_sh001", "POST", f"/tasks/{site.task_id}/complete",
                         json={"data": {**FINDINGS, "findings": huge}})
    body = assert_refusal(completed, 422, f"POST /api/v1/tasks/{site.task_id}/complete")
    assert list(body["fields"]) == ["findings"] and len(body["fields"]["findings"]) <= 80
    assert body["fields"]["findings"] == "最多 2000 个字符。"  # the limit, not the value
    started = site.api("cs_li", "POST", "/processes/complaint_handling/instances",
                       json={"data": {**COMPLAINT, "description": huge, "customer_name": huge}})
    body = assert_refusal(started, 422, "POST /api/v1/processes/complaint_handling/instances")
    assert set(body["fields"]) == {"description", "customer_name"}
    assert site.rows() == before


def test_hostile_query_strings_on_every_get_route(site):
    assert {"page", "per_page", "version", "started_from", "period", "q"} <= set(QUERY_NAMES)
    before = site.rows()
    for rule in routes(site.app, "GET", api=True) + routes(site.app, "GET", api=False):
        for value in HOSTILE_QUERY:
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            response = site.send("GET", f"{site.url(rule)}?{query}")
            assert response.status_code < 500, (rule.rule, value, response.status_code)
        response = site.send("GET", f"{site.url(rule)}?q=a%00b")
        assert_refusal(response, 400, f"GET {rule.rule}")
    for path, parameter in (("/api/v1/tasks", "page"), ("/api/v1/tasks", "per_page"),
                            ("/api/v1/process-instances", "page"), ("/api/v1/process-instances", "version")):
        for number in BEYOND:
            body = assert_refusal(site.send("GET", f"{path}?{parameter}={number}"), 400, f"GET {path}")
            assert list(body["fields"]) == [parameter], body
    assert site.rows() == before


def test_hostile_form_posts_on_every_html_post_route(site):
    before, posted = site.rows(), []
    field_limit = site.app.config["MAX_FORM_MEMORY_SIZE"]
    for rule in routes(site.app, "POST", api=False):
        path = site.url(rule)
        for name in ("reason", "body", "username", "\x00"):
            response = site.send("POST", path, data={"csrf_token": site.csrf, "reason": "ok",
                                                     name: "a\x00b", "action": "draft"})
            assert response.status_code == 400, (path, name, response.status_code)
        response = site.send("POST", path, data={"csrf_token": site.csrf, "body": "x" * (field_limit + 1)})
        assert response.status_code == 413, (path, response.status_code)
        posted.append(rule.rule)
    assert {"/tasks/<int:task_id>", "/login", "/cases/bulk"} <= set(posted)
    assert site.rows() == before


def test_bulk_forms_ignore_ids_that_are_no_ids(site):
    before = site.rows()
    for path, name in (("/tasks/claim", "task_id"), ("/cases/bulk", "instance_id")):
        response = site.send("POST", path, data={"csrf_token": site.csrf, "action": "suspend", "reason": "x",
                                                 name: [str(2**63), str(2**31), "²", "9" * 5000]})
        assert response.status_code in (302, 303), (path, response.status_code)
    assert site.rows() == before


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1e999", "-1e999"])
def test_a_number_typed_into_a_form_must_be_finite(site, typed):
    manager = site.app.test_client()
    csrf = site.login(manager, "manager_sh001")
    before = site.rows()
    response = manager.post(f"/tasks/{site.task_id}", data={
        **{k: str(v) for k, v in FINDINGS.items()}, "compensation_amount": typed, "action": "complete",
        "csrf_token": csrf})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*name="compensation_amount"[^>]*>', html).group(0)
    assert "is-invalid" in field and f'value="{typed}"' in field
    assert "请输入数字。" in html  # "Enter a number.", beside the field
    assert site.rows() == before
