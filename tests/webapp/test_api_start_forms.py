"""GET /api/v1/processes/<key>: a process I may start, with the JSON Schema of its start data, so that
an API client can start any process without reading the model."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from .test_api import COMPLAINT, OPENING, RETURN

STARTS = {"complaint_handling": ("cs_li", COMPLAINT), "product_return": ("franchisee_nj01", RETURN),
          "store_opening": ("supervisor_east", OPENING)}


@pytest.mark.parametrize("key", sorted(STARTS))
def test_the_start_form_is_enough_to_start_the_process(api, key):
    user, data = STARTS[key]
    response = api.as_(user).get(f"/processes/{key}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"key", "name", "version", "start_form"}
    assert (body["key"], body["version"]) == (key, 1) and body["name"]
    form = body["start_form"]
    Draft202012Validator.check_schema(form)
    assert set(form["required"]) <= set(form["properties"])
    assert not list(Draft202012Validator(form).iter_errors(data))
    assert list(Draft202012Validator(form).iter_errors({})), "an empty start breaks the form"
    started = api.as_(user).post(f"/processes/{key}/instances", json={"data": data})
    assert started.status_code == 201, started.get_json()


def test_every_listed_process_has_its_start_form(api):
    for user in ("cs_li", "franchisee_nj01", "supervisor_east", "merch_zhao", "director"):
        listed = api.as_(user).get("/processes").get_json()["items"]
        for item in listed:
            detail = api.as_(user).get(f"/processes/{item['key']}").get_json()
            assert {k: detail[k] for k in ("key", "name", "version")} == item


@pytest.mark.parametrize("user, key", [("cs_li", "store_opening"), ("cs_li", "no_such_process"),
                                       ("analyst_zheng", "complaint_handling")])
def test_a_process_i_may_not_start_is_as_unknown_as_a_missing_one(api, user, key):
    response = api.as_(user).get(f"/processes/{key}")
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == "not_found"


def test_the_start_form_needs_a_token(client):
    response = client.get("/api/v1/processes/complaint_handling")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
