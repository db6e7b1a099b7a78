"""Starting a case from the web: only the processes my roles may start, the start form rendered
from its schema (line items included), validation beside each field, the stores I may choose."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import ProcessInstance
from webapp.extensions import db


def token(client, path: str = "/processes") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def errors(html: str) -> dict[str, str]:
    return {m[0]: m[1].strip() for m in re.findall(
        r'class="invalid-feedback d-block" id="([^"]+)-error"><i[^>]*></i>([^<]+)<', html)}


def cases(app) -> list[tuple[str, str, str]]:
    """(business key, starter, store) of every case."""
    with app.app_context():
        return [(c.business_key, c.started_by.username, c.store_code)
                for c in db.session.scalars(select(ProcessInstance).order_by(ProcessInstance.id))]


COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "phone", "category": "service", "description": "店员态度不好，等了很久没人理。",
             "amount_claimed": "0"}


def test_each_person_sees_only_what_their_roles_may_start(client, auth):
    expected = {"cs_li": {"complaint_handling", "product_return"},
                "supervisor_east": {"store_opening", "store_inspection"},
                "merch_zhao": {"new_product_launch", "stock_transfer", "monthly_stocktake"},
                "trainer_sun": {"expense_claim", "store_inspection"},
                # NJ01's franchisee also manages it, but expense claims are for direct stores
                "franchisee_nj01": {"complaint_handling", "product_return", "stock_transfer",
                                    "franchise_order"},
                "warehouse_qian": set()}
    for user, keys in expected.items():
        auth.login(user)
        html = client.get("/processes").get_data(as_text=True)
        assert set(re.findall(r'id="start-([a-z_]+)"', html)) == keys, user
        auth.logout()
    auth.login("cs_li")
    assert client.get("/processes/store_opening").status_code == 404
    assert client.post("/processes/store_opening", data={"csrf_token": token(client)}).status_code == 404
    assert client.get("/processes/no_such_process").status_code == 404


def test_start_form_is_rendered_from_the_schema(client, auth):
    auth.login("cs_li")
    html = client.get("/processes/complaint_handling").get_data(as_text=True)
    assert "登记客户投诉" in html or "客户投诉处理" in html
    assert '<label class="form-label" for="f-customer_name">客户姓名' in html
    assert 'type="radio" class="btn-check" name="channel"' in html and ">电话</label>" in html
    assert '<select class="form-select" id="f-store_code" name="store_code"' in html
    assert 'value="SH003"' in html  # cs_li is not scoped: every store not closed
    assert 'value="0"' in html  # the schema's default for amount_claimed
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'inputmode="decimal"' in html and 'novalidate' in html


def test_starting_a_case(app, client, auth):
    auth.login("cs_li")
    response = client.post("/processes/complaint_handling", data={"csrf_token": token(client), **COMPLAINT})
    assert response.status_code == 303 and response.headers["Location"].endswith("/outcomes")
    [(key, starter, store)] = cases(app)
    assert (starter, store) == ("cs_li", "SH001")
    page = client.get("/outcomes").get_data(as_text=True)
    assert key in page and "已发起客户投诉处理" in page and "下一步：“投诉调查与处理方案”由店长" in page


def test_start_form_errors_are_shown_beside_the_fields(app, client, auth):
    auth.login("cs_li")
    data = {**COMPLAINT, "customer_phone": "12345", "customer_name": "", "amount_claimed": "1,5x"}
    response = client.post("/processes/complaint_handling", data={"csrf_token": token(client), **data})
    assert response.status_code == 422
    found = errors(response.get_data(as_text=True))
    assert found["f-customer_name"] == "此项为必填项。"
    assert found["f-customer_phone"].startswith("格式不正确（手机号")
    assert found["f-amount_claimed"] == "请输入数字。"
    assert cases(app) == []
    assert client.post("/processes/complaint_handling", data=COMPLAINT).status_code == 400  # CSRF
    assert cases(app) == []


def test_line_items_are_parsed_into_rows(app, client, auth):
    auth.login("franchisee_nj01")
    html = client.get("/processes/product_return").get_data(as_text=True)
    assert 'name="items.0.sku"' in html and "data-row-template" in html and "items.__index__.sku" in html
    assert '<option value="NJ01" data-fill-store_name="南京新街口加盟店" data-fill-city="南京" ' \
           'data-fill-address="中山路 18 号">' in html  # two stores of theirs: none chosen for them
    assert 'value="NJ02"' in html and 'value="SH001"' not in html  # only their stores
    rows = {"items.0.sku": "SKU-1001", "items.0.name": "衬衫", "items.0.quantity": "５",
            "items.0.unit_price": "199",
            "items.3.sku": "SKU-2002", "items.3.name": "连衣裙", "items.3.quantity": "两件",
            "items.3.unit_price": "1,299.5",
            "items.7.sku": "", "items.7.name": "", "items.7.quantity": "", "items.7.unit_price": ""}
    data = {"store_code": "NJ01", "return_type": "quality", "reason": "面料起球", **rows}
    response = client.post("/processes/product_return", data={"csrf_token": token(client), **data})
    assert response.status_code == 422
    found = errors(response.get_data(as_text=True))
    assert found == {"f-items-1-quantity": "请输入整数。"}  # rows renumbered, the blank one dropped
    data["items.3.quantity"] = "2"
    response = client.post("/processes/product_return", data={"csrf_token": token(client), **data})
    assert response.status_code == 303
    [(_, _, store)] = cases(app)
    assert store == "NJ01"
    auth.logout()
    auth.login("cs_wang")
    listed = client.get("/tasks?scope=claimable").get_data(as_text=True)
    task = re.search(r'data-task-id="(\d+)"', listed).group(1)
    html = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert "SKU-2002" in html and "¥1,299.50" in html
    assert '<th scope="col" class="num">单价（元）</th>' in html


def test_scoped_starters_cannot_start_for_other_stores(app, client, auth):
    auth.login("manager_sh001")
    response = client.post("/processes/complaint_handling",
                           data={"csrf_token": token(client), **COMPLAINT, "store_code": "SH002"})
    assert response.status_code in (403, 422)
    assert cases(app) == []


def test_store_opening_offers_planned_stores_of_the_region(client, auth):
    auth.login("supervisor_east")
    html = client.get("/processes/store_opening").get_data(as_text=True)
    assert 'value="SH003"' in html and 'value="SH001"' not in html
