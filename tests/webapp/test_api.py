"""JSON API: login, bearer tokens on every endpoint, what a user may start, starting a case, and
the error shape (DESIGN.md section 5)."""
from __future__ import annotations

import pytest

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
RETURN = {"store_code": "NJ01", "return_type": "quality", "reason": "面料起球",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}
OPENING = {"store_code": "SH003", "store_name": "上海静安寺店", "city": "上海", "address": "南京西路1号",
           "area_sqm": 180, "store_type": "direct", "planned_opening_date": "2026-12-20", "budget": 800000}

TASK_KEYS = {"id", "name", "element_id", "process_key", "instance_id", "role", "store_code", "assignee",
             "created_at", "due_at"}
INSTANCE_KEYS = {"id", "process_key", "version", "status", "business_key", "title", "started_by",
                 "started_at", "open_tasks"}

# Every endpoint but login, with a body that would be valid enough to reach the view.
ENDPOINTS = [
    ("get", "/processes"), ("post", "/processes/complaint_handling/instances"),
    ("get", "/tasks"), ("get", "/tasks/1"), ("post", "/tasks/1/claim"), ("post", "/tasks/1/unclaim"),
    ("post", "/tasks/1/assign"), ("post", "/tasks/1/transfer"), ("post", "/tasks/1/complete"),
    ("get", "/process-instances"), ("get", "/process-instances/1"),
    ("post", "/process-instances/1/comments"), ("post", "/process-instances/1/terminate"),
    ("post", "/process-instances/1/suspend"), ("post", "/process-instances/1/resume"),
]


def _call(client, method: str, path: str, headers: dict[str, str] | None = None):
    kwargs = {"json": {}} if method == "post" else {}
    return getattr(client, method)(f"/api/v1{path}", headers=headers or {}, **kwargs)


def _assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["error"] == code
    return body


# -- login -------------------------------------------------------------------------------------------

def test_login_gives_a_bearer_token(client):
    response = client.post("/api/v1/login", json={"username": "cs_li", "password": "demo123"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and len(body["token"]) >= 32
    assert body["expires_in"] == 12 * 3600
    assert body["user"]["username"] == "cs_li" and body["user"]["roles"] == ["cs_agent"]
    listed = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200


@pytest.mark.parametrize("username", ["cs_li", "nobody"])
def test_login_with_a_wrong_password_or_unknown_user_is_401(client, username):
    response = client.post("/api/v1/login", json={"username": username, "password": "wrong-one"})
    _assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("payload, missing", [
    ({}, {"username", "password"}),
    ({"username": "cs_li"}, {"password"}),
    ({"password": "demo123"}, {"username"}),
    ({"username": "", "password": "demo123"}, {"username"}),
    ({"username": "cs_li", "password": 123456}, {"password"}),
])
def test_login_with_missing_fields_is_400(client, payload, missing):
    body = _assert_error(client.post("/api/v1/login", json=payload), 400, "bad_request")
    assert set(body["fields"]) == missing


@pytest.mark.parametrize("data", ['{"username": "cs_li", "password": ', "[1, 2]", '"cs_li"', "\xff\xfe"])
def test_login_with_malformed_json_is_400(client, data):
    response = client.post("/api/v1/login", data=data, content_type="application/json")
    _assert_error(response, 400, "bad_request")


def test_repeated_wrong_passwords_are_throttled(client, app):
    attempts = app.config["LOGIN_THROTTLE_ATTEMPTS"]
    for _ in range(attempts):
        _assert_error(client.post("/api/v1/login", json={"username": "cs_wang", "password": "guess"}), 401)
    blocked = client.post("/api/v1/login", json={"username": "cs_wang", "password": "demo123"})
    body = _assert_error(blocked, 429, "too_many_requests")
    assert blocked.headers["Retry-After"] == "60"
    assert body["message"] == "登录失败次数过多，请 1 分钟后再试。"
    # another account from the same address is not locked by cs_wang's failures
    assert client.post("/api/v1/login", json={"username": "cs_li", "password": "demo123"}).status_code == 200


# -- tokens ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_endpoint_needs_a_token(client, method, path):
    response = _call(client, method, path)
    _assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic Y3NfbGk6ZGVtbzEyMw==", "cs_li"])
def test_a_garbage_token_is_401(client, header):
    for method, path in ENDPOINTS:
        _assert_error(_call(client, method, path, {"Authorization": header}), 401, "unauthorized")


def test_an_expired_token_is_401(client, api, app, app_clock):
    token = api.token("cs_li")
    headers = {"Authorization": f"Bearer {token}"}
    app_clock.advance(hours=app.config["API_TOKEN_HOURS"], minutes=-1)
    assert _call(client, "get", "/processes", headers).status_code == 200
    app_clock.advance(minutes=1, seconds=1)
    for method, path in ENDPOINTS:
        response = _call(client, method, path, headers)
        body = _assert_error(response, 401, "unauthorized")
        assert "过期" in body["message"]


def test_a_deactivated_users_token_stops_working(client, api, app):
    from engine.models import User
    from webapp.extensions import db
    headers = {"Authorization": f"Bearer {api.token('cs_wang')}"}
    with app.app_context():
        db.session.query(User).filter_by(username="cs_wang").update({"active": False})
        db.session.commit()
    _assert_error(_call(client, "get", "/tasks", headers), 401)


# -- processes -----------------------------------------------------------------------------------------

def _startable(api, user: str) -> dict[str, dict]:
    response = api.as_(user).get("/processes")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"} and body["total"] == len(body["items"])
    return {p["key"]: p for p in body["items"]}


def test_processes_lists_what_each_user_may_start(api):
    cs = _startable(api, "cs_li")
    assert set(cs) == {"complaint_handling", "product_return"}
    assert cs["complaint_handling"] == {"key": "complaint_handling", "name": "客户投诉处理", "version": 1}
    assert set(_startable(api, "supervisor_east")) == {"store_opening", "store_inspection"}
    assert set(_startable(api, "franchisee_nj01")) == {"complaint_handling", "product_return",
                                                       "stock_transfer", "franchise_order"}
    assert set(_startable(api, "merch_zhao")) == {"new_product_launch", "stock_transfer", "monthly_stocktake"}
    assert _startable(api, "warehouse_qian") == {}


# -- starting a case -----------------------------------------------------------------------------------

def test_start_a_complaint(api):
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert INSTANCE_KEYS <= set(case)
    assert response.headers["Location"].endswith(f"/api/v1/process-instances/{case['id']}")
    assert (case["process_key"], case["version"], case["status"], case["started_by"]) == (
        "complaint_handling", 1, "running", "cs_li")
    assert case["business_key"].startswith("CP-") and "王女士" in case["title"]
    assert case["started_at"] == "2026-11-02T01:00:00+00:00"
    [task] = case["open_tasks"]
    assert TASK_KEYS <= set(task)
    assert (task["element_id"], task["role"], task["store_code"], task["assignee"], task["claimable"]) == (
        "investigate_store", "store_manager", "SH001", "manager_sh001", False)  # SH001's only manager
    assert task["instance_id"] == case["id"] and task["process_key"] == "complaint_handling"


def test_start_names_every_bad_field(api):
    bad = {**COMPLAINT, "customer_phone": "12", "category": "weather"}
    del bad["customer_name"]
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": bad}),
                         422, "invalid_data")
    assert set(body["fields"]) == {"customer_name", "customer_phone", "category"}
    assert body["fields"]["customer_name"] == "此项为必填项。"
    assert body["fields"]["category"] == "请从选项中选择。"
    assert body["message"] == "表单有误：category, customer_name, customer_phone"


def test_a_planned_opening_in_the_past_is_refused_in_words(api):
    past = {**OPENING, "planned_opening_date": "2026-11-01"}  # the app clock's today is 2026-11-02
    url = "/processes/store_opening/instances"
    body = _assert_error(api.as_("supervisor_east").post(url, json={"data": past}), 422)
    assert body["fields"] == {"planned_opening_date": "日期不能早于 2026-11-02。"}
    body = _assert_error(api.as_("supervisor_east").post(url, json={"data": past},
                                                          headers={"Accept-Language": "en"}), 422)
    assert body["fields"] == {"planned_opening_date": "Enter a date on or after 2026-11-02."}


def test_validation_messages_follow_accept_language(api):
    data = {**COMPLAINT, "description": "长" * 2001}
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": data},
                                               headers={"Accept-Language": "en-US,en;q=0.9"}), 422)
    assert body["fields"] == {"description": "At most 2000 characters."}
    assert body["message"] == "The form has errors: description"
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": data},
                                               headers={"Accept-Language": "zh-CN"}), 422)
    assert body["fields"] == {"description": "最多 2000 个字符。"}


def test_start_without_data_names_the_required_fields(api):
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances", json={}), 422)
    assert {"customer_name", "store_code", "category"} <= set(body["fields"])


@pytest.mark.parametrize("payload", [{"data": "customer"}, {"data": [COMPLAINT]}])
def test_start_with_data_that_is_not_an_object_is_400(api, payload):
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances", json=payload), 400)
    assert set(body["fields"]) == {"data"}


def test_start_with_malformed_json_is_400(client, api):
    headers = {"Authorization": f"Bearer {api.token('cs_li')}"}
    response = client.post("/api/v1/processes/complaint_handling/instances", data='{"data": {',
                           headers=headers, content_type="application/json")
    _assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("user, key, data", [
    ("warehouse_qian", "complaint_handling", COMPLAINT),
    ("cs_li", "store_opening", OPENING),
    ("supervisor_east", "complaint_handling", COMPLAINT),
    ("manager_sh002", "complaint_handling", COMPLAINT),      # SH001's complaint, SH002's manager
    ("franchisee_nj01", "product_return", {**RETURN, "store_code": "SH001"}),
])
def test_a_user_who_may_not_start_gets_403(api, user, key, data):
    _assert_error(api.as_(user).post(f"/processes/{key}/instances", json={"data": data}), 403, "forbidden")
    assert api.as_("director").get("/process-instances").get_json()["total"] == 0


def test_starting_an_unknown_process_is_404(api):
    _assert_error(api.as_("cs_li").post("/processes/no_such_process/instances", json={"data": {}}), 404)


def test_a_store_scoped_starter_starts_for_their_own_store(api):
    response = api.as_("franchisee_nj01").post("/processes/product_return/instances", json={"data": RETURN})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["open_tasks"][0]["role"] == "cs_agent"


def test_store_opening_needs_a_planned_store(api):
    opened = api.as_("supervisor_east").post("/processes/store_opening/instances", json={"data": OPENING})
    assert opened.status_code == 201, opened.get_json()
    again = {**OPENING, "store_code": "SH001"}
    body = _assert_error(api.as_("supervisor_east").post("/processes/store_opening/instances",
                                                          json={"data": again}), 422)
    assert set(body["fields"]) == {"store_code"}
    body = _assert_error(api.as_("cs_li").post("/processes/complaint_handling/instances",
                                               json={"data": {**COMPLAINT, "store_code": "XX999"}}), 422)
    assert body["fields"] == {"store_code": "请选择门店。"}


# -- other errors ----------------------------------------------------------------------------------------

def test_unknown_api_paths_answer_json(api, client):
    _assert_error(api.as_("cs_li").get("/no-such-thing"), 404)
    _assert_error(client.get("/api/v1/tasks/abc"), 404)
    response = client.get("/api/v1/login")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


def test_a_method_not_allowed_says_which_are(client):
    """RFC 9110: a 405 lists the allowed methods in Allow (the error handler used to drop Werkzeug's headers;
    found by schemathesis's unsupported_method check)."""
    for response, allowed in ((client.get("/api/v1/login"), {"POST", "OPTIONS"}),
                              (client.delete("/api/v1/tasks/1"), {"GET", "HEAD", "OPTIONS"}),
                              (client.put("/logout"), {"POST", "OPTIONS"})):
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) == allowed
