"""Any app process serves any request: what one process does is seen by another on the same database,
with nothing kept in one process's memory that the other would miss — a version deployed through one
is what the other starts (its parsed-spec cache is by version id, the latest version read at each
start), a browser session ended in one is refused in the other, and login failures through one lock
the account in the other."""
from __future__ import annotations

import shutil

from engine.models import IdempotencyRecord, ProcessInstance
from webapp.api.idempotency import _digest
from webapp.bootstrap import deploy_models
from webapp.extensions import db

from .conftest import Api, csrf_token
from .test_attachment_storage import database, instances  # noqa: F401  (fixtures)

CASE = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "衣服破损，要求退换。", "amount_claimed": 0}


def start(app) -> int:
    response = Api(app.test_client()).as_("cs_li").post("/processes/complaint_handling/instances",
                                                        json={"data": CASE})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def version_of(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(ProcessInstance, case_id).version.version


def test_a_version_deployed_through_one_instance_is_what_the_other_starts(instances, tmp_path):  # noqa: F811
    a, b = instances()
    assert version_of(b, start(b)) == 1  # b has parsed and cached version 1
    models = tmp_path / "models"
    shutil.copytree(a.config["BPMN_DIR"], models)
    bpmn = models / "complaint_handling.bpmn"
    renamed = bpmn.read_text("utf-8").replace('name="客户投诉处理"', 'name="客户投诉处理（新）"', 1)
    bpmn.write_text(renamed, "utf-8")
    a.config["BPMN_DIR"] = str(models)
    [result] = [r for r in deploy_models(a, deployed_by="test") if r.key == "complaint_handling"]
    assert (result.version, result.created) == (2, True)
    assert version_of(b, start(b)) == 2
    assert version_of(a, start(a)) == 2


def _signed_in(app, cookie: str | None) -> bool:
    client = app.test_client()
    if cookie:
        client.set_cookie("session", cookie)
    return client.get("/tasks").status_code == 200


def test_a_session_ended_in_one_instance_is_refused_in_the_other(instances):  # noqa: F811
    a, b = instances()
    browser = a.test_client()
    response = browser.post("/login", data={"username": "cs_li", "password": "demo123",
                                            "csrf_token": csrf_token(browser)})
    assert response.status_code in (302, 303)
    cookie = browser.get_cookie("session").value
    assert _signed_in(b, cookie)  # the same browser, its next request served by b
    signed_out = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/tasks")})
    assert signed_out.status_code in (302, 303)
    assert not _signed_in(b, cookie)  # a copy of the old cookie is refused by b too
    assert not _signed_in(a, cookie)


def test_login_failures_through_one_instance_lock_the_account_in_the_other(instances):  # noqa: F811
    a, b = instances()
    for _ in range(a.config["LOGIN_THROTTLE_ATTEMPTS"]):
        refused = a.test_client().post("/api/v1/login", json={"username": "cs_li", "password": "wrong"})
        assert refused.status_code == 401
    locked = b.test_client().post("/api/v1/login", json={"username": "cs_li", "password": "demo123"})
    assert locked.status_code == 429 and locked.headers.get("Retry-After")


def test_an_idempotent_retry_through_the_other_instance_returns_the_first_answer(instances):  # noqa: F811
    a, b = instances()
    token = Api(a.test_client()).token("cs_li")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "start-wang-1"}

    def post(app, data=CASE, key_headers=headers):
        return app.test_client().post("/api/v1/processes/complaint_handling/instances", headers=key_headers,
                                      json={"data": data})
    first = post(a)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    retry = post(b)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json() and retry.headers["Location"] == first.headers["Location"]
    with b.app_context():
        assert db.session.query(ProcessInstance).count() == 1
    other = post(b, {**CASE, "customer_name": "李先生"})
    assert other.status_code == 422 and other.get_json()["fields"] == {"Idempotency-Key": "reused"}
    fresh = post(b, key_headers={**headers, "Idempotency-Key": "start-wang-2"})
    assert fresh.status_code == 201 and fresh.get_json()["id"] != first.get_json()["id"]
    without = post(a, key_headers={"Authorization": headers["Authorization"]})
    assert without.status_code == 201  # no key: every request runs
    too_long = post(a, key_headers={**headers, "Idempotency-Key": "k" * 256})
    assert too_long.status_code == 422 and too_long.get_json()["fields"] == {"Idempotency-Key": "invalid"}


def test_a_claim_left_by_a_dead_process_and_an_old_answer_are_taken_over(instances):  # noqa: F811
    a, b = instances(API_TOKEN_HOURS=48)
    token = Api(a.test_client()).token("cs_li")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "start-1"}
    clock = a.config["CLOCK"]
    with a.app_context():  # what a process killed mid-request leaves: a claim with no answer
        db.session.add(IdempotencyRecord(owner=_digest(headers["Authorization"].encode()), key="start-1",
                                         fingerprint="0" * 64, status=None, created_at=clock()))
        db.session.commit()

    def post(app):
        return app.test_client().post("/api/v1/processes/complaint_handling/instances", headers=headers,
                                      json={"data": CASE})
    assert post(b).status_code == 409
    clock.advance(minutes=6)
    first = post(b)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    clock.advance(hours=23)
    assert post(a).headers.get("Idempotent-Replayed") == "true"
    clock.advance(hours=2)
    again = post(a)
    assert again.status_code == 201 and again.get_json()["id"] != first.get_json()["id"]
