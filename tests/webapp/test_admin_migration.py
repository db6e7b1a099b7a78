"""The administrators' migration page (dry run, the mapping that makes a case movable, the move, the
case page telling it) and the retire / re-enable buttons of the model page."""
from __future__ import annotations

import re

from .conftest import csrf_token
from .test_api import COMPLAINT
from .test_api_migrations import _deploy_v2

KEY = "complaint_handling"


def _case(api) -> int:
    response = api.as_("cs_li").post(f"/processes/{KEY}/instances", json={"data": COMPLAINT})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_dry_run_map_and_move_from_the_page(app, app_clock, client, auth, api):
    case_id = _case(api)
    _deploy_v2(app, app_clock)
    auth.login("admin")
    model = client.get(f"/admin/models/{KEY}").get_data(as_text=True)
    assert f'href="/admin/models/{KEY}/migration"' in model
    page = client.get(f"/admin/models/{KEY}/migration")
    assert page.status_code == 200
    token = csrf_token(client, f"/admin/models/{KEY}/migration")
    form = {"csrf_token": token, "from_version": "1", "to_version": "2", "action": "dry_run"}
    dry = client.post(f"/admin/models/{KEY}/migration", data=form).get_data(as_text=True)
    assert re.search(rf'id="case-{case_id}" data-movable="0"', dry)
    assert 'name="map-investigate_store"' in dry and 'value="investigate_store_v2"' in dry
    form["map-investigate_store"] = "investigate_store_v2"
    mapped = client.post(f"/admin/models/{KEY}/migration", data=form).get_data(as_text=True)
    assert re.search(rf'id="case-{case_id}" data-movable="1"', mapped) and 'id="migrate"' in mapped
    moved = client.post(f"/admin/models/{KEY}/migration",
                        data={**form, "action": "migrate", "picking": "1", "case": str(case_id),
                              "map-investigate_store": "investigate_store_v2"}).get_data(as_text=True)
    assert re.search(rf'id="case-{case_id}" data-movable="1" data-moved="1"', moved)
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "bi-arrow-right-circle" in case_page
    assert api.as_("admin").get(f"/process-instances/{case_id}").get_json()["version"] == 2


def test_unticking_every_case_moves_none(app, app_clock, client, auth, api):
    case_id = _case(api)
    _deploy_v2(app, app_clock)
    auth.login("admin")
    token = csrf_token(client, f"/admin/models/{KEY}/migration")
    response = client.post(f"/admin/models/{KEY}/migration", data={
        "csrf_token": token, "from_version": "1", "to_version": "2", "action": "migrate", "picking": "1",
        "map-investigate_store": "investigate_store_v2"})
    assert response.status_code == 422 and 'id="migration-error"' in response.get_data(as_text=True)
    assert api.as_("admin").get(f"/process-instances/{case_id}").get_json()["version"] == 1


def test_a_mapping_to_a_missing_step_is_refused_on_the_page(app, app_clock, client, auth, api):
    _case(api)
    _deploy_v2(app, app_clock)
    auth.login("admin")
    token = csrf_token(client, f"/admin/models/{KEY}/migration")
    response = client.post(f"/admin/models/{KEY}/migration", data={
        "csrf_token": token, "from_version": "1", "to_version": "2", "action": "migrate",
        "map-investigate_store": "nowhere"})
    assert response.status_code == 422 and "mapping.investigate_store" in response.get_data(as_text=True)


def test_retire_and_enable_buttons(client, auth):
    auth.login("admin")
    token = csrf_token(client, f"/admin/models/{KEY}")
    assert 'id="retire-process"' in client.get(f"/admin/models/{KEY}").get_data(as_text=True)
    assert client.post(f"/admin/models/{KEY}/retire", data={"csrf_token": token}).status_code == 303
    page = client.get(f"/admin/models/{KEY}").get_data(as_text=True)
    assert 'id="retired-badge"' in page and 'id="enable-process"' in page
    assert client.post(f"/admin/models/{KEY}/retire", data={"csrf_token": token}).status_code == 409
    auth.logout()
    auth.login("cs_li")
    start = client.get(f"/processes/{KEY}")
    assert start.status_code == 409 and KEY in start.get_data(as_text=True)
    assert f'href="/processes/{KEY}"' not in client.get("/processes").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    token = csrf_token(client, f"/admin/models/{KEY}")
    assert client.post(f"/admin/models/{KEY}/enable", data={"csrf_token": token}).status_code == 303
    assert 'id="retire-process"' in client.get(f"/admin/models/{KEY}").get_data(as_text=True)


def test_only_administrators(client, auth):
    auth.login("cs_li")
    assert client.get(f"/admin/models/{KEY}/migration").status_code == 403
    token = csrf_token(client, "/tasks")
    assert client.post(f"/admin/models/{KEY}/retire", data={"csrf_token": token}).status_code == 403
