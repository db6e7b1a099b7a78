"""Idempotency-Key, what surrounds the replay: a retry whose token was revoked (or expired) in between
is refused, not replayed; the background runner purges records older than IDEMPOTENCY_KEEP_HOURS (and
that setting is also how long answers are replayed); the contract names the header on every write
that honours it — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine import directory
from engine.models import IdempotencyRecord, ProcessInstance
from webapp.api.contract.document import openapi_document
from webapp.api.contract.idempotency import honoured
from webapp.api.idempotency import _digest
from webapp.background import background_runner
from webapp.extensions import db

from .conftest import Api
from .test_shared_state import CASE

START = "/api/v1/processes/complaint_handling/instances"


def cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def test_a_retry_with_a_revoked_token_is_refused_not_replayed(any_app, app_clock):
    client = any_app.test_client()
    token = Api(client).token("cs_li")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "start-revoked-1"}
    first = client.post(START, headers=headers, json={"data": CASE})
    assert first.status_code == 201
    assert client.post(START, headers=headers, json={"data": CASE}).headers["Idempotent-Replayed"] == "true"
    with any_app.app_context():  # a new password: the account's tokens stop working
        directory.reset_password_at_console(db.session, "cs_li", "a-new-password-42", app_clock())
        db.session.commit()
    retry = client.post(START, headers=headers, json={"data": CASE})
    assert retry.status_code == 401 and "Idempotent-Replayed" not in retry.headers
    assert retry.get_json()["error"] != first.get_json().get("error")
    assert cases(any_app) == 1


def test_a_retry_with_an_expired_token_is_refused_not_replayed(any_app, app_clock):
    client = any_app.test_client()
    headers = {"Authorization": f"Bearer {Api(client).token('cs_li')}", "Idempotency-Key": "start-expired"}
    assert client.post(START, headers=headers, json={"data": CASE}).status_code == 201
    app_clock.advance(hours=float(any_app.config["API_TOKEN_HOURS"]) + 1)  # the answer is still kept
    retry = client.post(START, headers=headers, json={"data": CASE})
    assert retry.status_code == 401 and "Idempotent-Replayed" not in retry.headers


def test_the_runner_purges_records_older_than_the_setting(any_app, app_clock):
    any_app.config["IDEMPOTENCY_KEEP_HOURS"] = 2
    client = any_app.test_client()
    auth = f"Bearer {Api(client).token('cs_li')}"
    now = app_clock()
    with any_app.app_context():
        for key, hours_ago in (("old-1", 3), ("old-2", 2.5), ("young", 1)):
            db.session.add(IdempotencyRecord(
                owner=_digest(auth.encode()), key=key, fingerprint="0" * 64, status=201, body=b"{}",
                created_at=now - timedelta(hours=hours_ago)))
        db.session.commit()
    [housekeeping] = [job for job in background_runner(any_app, "w").jobs if job.name == "housekeeping"]
    assert housekeeping.run() == "purged 2 idempotency record(s)"
    assert housekeeping.run() == ""
    with any_app.app_context():
        assert set(db.session.scalars(select(IdempotencyRecord.key))) == {"young"}
    # the same setting is how long an answer is replayed
    headers = {"Authorization": auth, "Idempotency-Key": "start-kept"}
    first = client.post(START, headers=headers, json={"data": CASE})
    app_clock.advance(hours=1.5)
    replayed = client.post(START, headers=headers, json={"data": CASE})
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    app_clock.advance(hours=1)
    again = client.post(START, headers=headers, json={"data": CASE})
    assert again.status_code == 201 and again.get_json()["id"] != first.get_json()["id"]


def test_every_write_that_honours_the_key_names_it_in_the_contract(app):
    document = openapi_document()
    assert "Idempotency-Key" in document["info"]["description"]
    assert document["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    rules = {(rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}"),
              method.lower())
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    writes = [(path, method) for path, method in rules if method in ("post", "put", "patch", "delete")]
    assert len(writes) > 20
    for path, method in writes:
        operation = document["paths"][path][method]
        named = {"$ref": "#/components/parameters/IdempotencyKey"} in operation.get("parameters", [])
        assert named == honoured(path, method), (path, method)
        if named:
            assert {"409", "422"} <= operation["responses"].keys(), (path, method)
            ok = [r for status, r in operation["responses"].items() if status.startswith("2")]
            assert all("Idempotent-Replayed" in r.get("headers", {}) for r in ok if "$ref" not in r)
    assert ("/login", "post") in writes  # the one write without a token: no key there
