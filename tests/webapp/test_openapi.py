"""The OpenAPI description at /api/v1/openapi.json: public, a valid OpenAPI 3.1 document, and held
to the code — every /api/v1 route of the app is described and every description names a route,
with the path parameters the route takes and the fields the engine's views carry. The docs page
at /api/docs renders it without inline script."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from werkzeug.routing import IntegerConverter

from engine.queries.case_page import CaseDetail
from engine.queries.task_page import TaskDetail
from engine.views import CaseView, EventView, IncidentView, Page, ProcessView, StartableProcess, TaskView
from webapp.api.contract import openapi_document
from webapp.record_ids import MAX_INT, MIN_INT

from .test_incidents import fire, incident_of, start, stopped  # noqa: F401  (a case stopped on an incident)

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def described(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, full path) → operation, e.g. ("POST", "/api/v1/tasks/{task_id}/claim")."""
    prefix = document["servers"][0]["url"]
    return {(method.upper(), prefix + path): operation for path, item in document["paths"].items()
            for method, operation in item.items()}


def routed(app) -> dict[tuple[str, str], Any]:
    """(method, path in OpenAPI's spelling) → the Werkzeug rule, for every /api/v1 route."""
    return {(method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)): rule
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
            for method in rule.methods & METHODS}


def mismatches(app, document: dict[str, Any]) -> tuple[set, set]:
    """Routes without a description, and descriptions without a route."""
    have, say = set(routed(app)), set(described(document))
    return have - say, say - have


def deref(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, following `$ref`s within the document."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")  # no token: the description is public
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_every_api_route_is_described_and_every_description_has_a_route(app, document):
    undescribed, unrouted = mismatches(app, document)
    assert not undescribed, f"/api/v1 routes without a description in webapp/api/contract: {undescribed}"
    assert not unrouted, f"described in webapp/api/contract but not routed: {unrouted}"
    assert document == openapi_document()


def test_the_check_catches_a_new_route_and_a_stale_description(app):
    document = openapi_document()
    del document["paths"]["/tasks/{task_id}/claim"]
    app.add_url_rule("/api/v1/tasks/<int:task_id>/escalate", "api.escalate", lambda task_id: "",
                     methods=["POST"])
    document["paths"]["/reports"] = {"get": {"operationId": "reports", "responses": {}}}
    undescribed, unrouted = mismatches(app, document)
    assert undescribed == {("POST", "/api/v1/tasks/{task_id}/claim"),
                           ("POST", "/api/v1/tasks/{task_id}/escalate")}
    assert unrouted == {("GET", "/api/v1/reports")}


def test_each_operation_names_its_view_and_its_path_parameters(app, document):
    routes = routed(app)
    for key, operation in described(document).items():
        rule = routes[key]
        assert operation["operationId"] == rule.endpoint.rpartition(".")[2], key
        params = [deref(document, p) for p in operation.get("parameters", [])]
        in_path = {p["name"]: p for p in params if p["in"] == "path"}
        assert set(in_path) == set(rule.arguments), key
        for name, converter in rule._converters.items():
            schema = in_path[name]["schema"]
            if isinstance(converter, IntegerConverter):  # a larger id does not reach the view: 404
                bounds = (schema["type"], schema["minimum"], schema["maximum"])
                assert bounds == ("integer", 1, converter.max), key
            assert in_path[name]["required"] is True
        for param in params:  # the API's query integers are refused (400) outside the database's range
            if param["in"] == "query" and param["schema"].get("type") == "integer":
                assert MIN_INT <= param["schema"]["minimum"] <= param["schema"]["maximum"] <= MAX_INT, key
        assert "200" in operation["responses"] or "201" in operation["responses"], key
        # webapp.strict_request refuses any request before its route: unreadable (400), too large (413)
        assert {"400", "413"} <= set(operation["responses"]), key
        public = operation.get("security") == []
        assert public == (key in {("POST", "/api/v1/login"), ("GET", "/api/v1/openapi.json")}), key
        assert public or "401" in operation["responses"], key


def test_the_document_is_valid_openapi_3_1_with_valid_schemas(document):
    schemathesis.openapi.from_dict(document).validate()
    assert document["openapi"] == "3.1.0"
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for key, operation in described(document).items():
        for status, response in operation["responses"].items():
            response = deref(document, response)
            for media in response.get("content", {}).values():
                deref(document, media["schema"])  # every reference resolves
            if status.startswith(("4", "5")):
                error = response["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, (key, status)


def _fields(view: type) -> set[str]:
    """What the view's `to_dict` gives the API: its fields but those marked `api: False` (for pages)."""
    return {f.name for f in dataclasses.fields(view) if f.metadata.get("api", True)}


@pytest.mark.parametrize("schema, fields", [
    ("Task", _fields(TaskView)),
    ("TaskDetail", _fields(TaskView) | _fields(TaskDetail) - {"task"}),
    ("Instance", _fields(CaseView)),
    ("InstanceDetail", _fields(CaseView) | _fields(CaseDetail) - {"instance"}),
    ("Event", _fields(EventView)),
    ("Incident", _fields(IncidentView)),
    ("Process", _fields(ProcessView)),
    ("StartableProcess", _fields(StartableProcess)),
    ("TaskPage", _fields(Page)),
    ("InstancePage", _fields(Page)),
    ("ProcessPage", _fields(Page)),
])
def test_the_described_objects_are_the_engines_views(document, schema, fields):
    described_schema = document["components"]["schemas"][schema]
    assert set(described_schema["properties"]) == fields
    assert described_schema["additionalProperties"] is False and set(described_schema["required"]) == fields


def violations(document: dict[str, Any], schema_name: str, value: Any) -> list[str]:
    # the component with the document's components beside it, so that its references resolve
    schema = {**document["components"]["schemas"][schema_name], "components": document["components"]}
    return [e.message for e in Draft202012Validator(schema).iter_errors(value)]


def conforming(document: dict[str, Any]) -> Any:
    """`check(response, schema_name, status)`: the response's JSON body, held to the description."""
    def check(response, schema_name: str, status: int | None = None) -> dict:
        body = response.get_json()
        assert status is None or response.status_code == status, (response.status_code, body)
        errors = violations(document, schema_name, body)
        assert not errors, (schema_name, errors, body)
        return body
    return check


def test_responses_conform_to_the_description(client, api, document):
    """What schemathesis checks against a live server, here on the path a person takes, in-process."""
    from .test_api import COMPLAINT
    check = conforming(document)
    cs_li = api.as_("cs_li")
    check(cs_li.get("/processes"), "ProcessPage")
    check(cs_li.get("/processes/complaint_handling"), "StartableProcess")
    case = check(cs_li.post("/processes/complaint_handling/instances", json={"data": COMPLAINT}), "Instance")
    manager = api.as_("manager_sh001")
    task_id = case["open_tasks"][0]["id"]
    check(manager.get("/tasks"), "TaskPage")
    check(manager.get(f"/tasks/{task_id}"), "TaskDetail")
    check(manager.post(f"/tasks/{task_id}/claim"), "Task")
    check(cs_li.post(f"/process-instances/{case['id']}/comments", json={"body": "客户来电催问"}), "Comment")
    check(cs_li.get(f"/process-instances/{case['id']}"), "InstanceDetail")
    check(api.as_("director").get("/process-instances?status=running"), "InstancePage")
    check(api.as_("director").post(f"/process-instances/{case['id']}/suspend", json={"reason": "核实中"}),
          "Instance")
    check(cs_li.get("/tasks/999999"), "Error")
    check(client.post("/api/v1/login", json={"username": "cs_li", "password": "demo123"}), "Token")


def test_incidents_and_their_retry_and_resolution_conform_to_the_description(app, app_clock, api, document,
                                                                            stopped):  # noqa: F811
    """The incident routes and fields, which the contract run cannot reach (its fuzzer is no administrator
    and its database has no incident): every answer as the description says, a failed retry's too."""
    check = conforming(document)
    case_id, incident_id, _ = stopped
    other = start(app, "incident_timer", {"store_code": "SH001", "divisor": 0, "pad": 0})
    app_clock.advance(days=1, minutes=1)
    fire(app)  # the second case stops on its incident too
    supervised = check(api.as_("director").get(f"/process-instances/{case_id}"), "InstanceDetail", 200)
    assert supervised["may_supervise"] and [i["id"] for i in supervised["incidents"]] == [incident_id]
    detail = check(api.as_("manager_sh001").get(f"/process-instances/{case_id}"), "InstanceDetail", 200)
    assert not detail["may_supervise"] and detail["incidents"] == []
    # the description says so: incidents shown to someone who does not supervise the case break it
    assert violations(document, "InstanceDetail", {**detail, "incidents": supervised["incidents"]})
    listed = check(api.as_("director").get("/process-instances?has_incident=true"), "InstancePage", 200)
    assert {c["id"] for c in listed["items"]} == {case_id, other}

    admin, path = api.as_("admin"), f"/process-instances/{case_id}/incidents/{incident_id}"
    check(api.as_("director").post(f"{path}/retry", json={"reason": "x"}), "Error", 403)
    check(admin.post(f"{path}/retry", json={}), "Error", 422)
    check(admin.post(f"{path}/retry", json={"reason": "x", "data": []}), "Error", 400)
    missing = check(admin.post(f"/process-instances/{case_id}/incidents/{MAX_INT}/retry",
                               json={"reason": "x"}), "Error", 404)
    failed = check(admin.post(f"{path}/retry", json={"reason": "once more"}), "Error", 422)
    assert (failed["error"], failed["element"], failed["retried"]) == ("model_error", "compute_share", False)
    # and a model error without its element, or a retry's outcome without the rest of it, breaks it too
    assert violations(document, "Error", {k: v for k, v in failed.items() if k != "element"})
    assert violations(document, "Error", {**missing, "retried": False})
    done = check(admin.post(f"{path}/retry", json={"reason": "four parts", "data": {"divisor": 4}}),
                 "Retried", 200)
    assert done["incident"]["resolution"] == "retried"
    check(admin.post(f"{path}/resolve", json={"reason": "x"}), "Error", 409)

    path = f"/process-instances/{other}/incidents/{incident_of(app, other).id}"
    check(admin.post(f"{path}/resolve", json={"reason": " "}), "Error", 422)
    resolved = check(admin.post(f"{path}/resolve", json={"reason": "handled by phone"}), "Resolved", 200)
    assert resolved["incident"]["resolution"] == "resolved"


def test_the_docs_page_renders_the_description_without_inline_script(client, auth):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "<title>API 文档" in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "/static/api-docs.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@pytest.mark.parametrize("user, linked", [("admin", True), ("analyst_zheng", True), ("cs_li", False)])
def test_the_navigation_links_the_docs_for_integrators(client, auth, user, linked):
    auth.login(user)
    html = client.get("/tasks").get_data(as_text=True)
    assert ('href="/api/docs"' in html) is linked
