"""A called process's steps through the web: 货品调拨's 发货 (`ship_goods`, another file) shows as a
step of the transfer in the sender's task list, task page, the API and the case page."""
from __future__ import annotations

TRANSFER = {"store_code": "SH001", "ship_from": "store", "from_store": "SH002", "reason": "周末大衣断码",
            "items": [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 5,
                       "unit_price": 1599}]}


def test_the_called_shipping_step_is_the_transfers_step_everywhere(client, auth, api):
    merch, sender = api.as_("merch_zhao"), api.as_("manager_sh002")
    started = merch.post("/processes/stock_transfer/instances", json={"data": TRANSFER})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    [approval] = case["open_tasks"]
    done = merch.post(f"/tasks/{approval['id']}/complete",
                      json={"data": {"approved": True, "merchandiser_comment": "同意"}}).get_json()
    [ship] = done["open_tasks"]
    assert (ship["element_id"], ship["store_code"]) == ("ship_from_store", "SH002")

    listed = sender.get("/tasks").get_json()["items"]
    assert [(t["element_id"], t["process_key"]) for t in listed] == [("ship_from_store", "stock_transfer")]
    detail = sender.get(f"/tasks/{ship['id']}").get_json()
    assert detail["form"]["title"] == "门店拣货发货"
    assert [r["shipped_quantity"] for r in detail["case"]["shipped_items"]] == [5]

    auth.login("manager_sh002")
    page = client.get(f"/tasks/{ship['id']}")
    assert page.status_code == 200 and "门店拣货发货" in page.get_data(as_text=True)
    auth.logout()
    auth.login("director")
    html = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'data-element-id="ship_from_store"' in html  # the called step is the case's open step
    assert 'data-element-id="ship"' in html  # and the diagram's call activity waits on it


def test_the_model_page_says_which_shipping_version_a_transfer_version_calls(client, auth):
    auth.login("admin")
    html = client.get("/admin/models/stock_transfer").get_data(as_text=True)
    assert 'data-calls="ship_goods"' in html and "调用 ship_goods 第 1 版" in html


def test_the_new_start_forms_render(client, auth):
    for user, key, title in (("merch_zhao", "stock_transfer", "调出门店"),
                             ("franchisee_nj01", "franchise_order", "订货明细")):
        auth.login(user)
        page = client.get(f"/processes/{key}")
        assert page.status_code == 200 and title in page.get_data(as_text=True), key
        auth.logout()
