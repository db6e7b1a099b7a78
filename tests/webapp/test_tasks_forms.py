"""JSON Schema → fields and posted form → typed JSON (webapp/ui/form_fields.py), and the fixed line-item
rows of the warehouse's receiving step, walked through the web form."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from webapp.ui.form_fields import MISSING, build_fields, parse_submission, schema_at, widget_of

SCHEMA = {
    "type": "object",
    "required": ["name", "qty", "kind", "lines", "ok"],
    "properties": {
        "context": {"type": "string", "title": "背景", "readOnly": True},
        "name": {"type": "string", "title": "名称", "maxLength": 20},
        "notes": {"type": "string", "title": "说明", "maxLength": 2000},
        "qty": {"type": "integer", "title": "数量", "minimum": 1},
        "price": {"type": "number", "title": "单价", "minimum": 0},
        "day": {"type": "string", "format": "date", "title": "日期"},
        "kind": {"type": "string", "title": "类型",
                 "oneOf": [{"const": "a", "title": "甲"}, {"const": "b", "title": "乙"}]},
        "approved": {"type": "boolean", "title": "审批", "oneOf": [{"const": True, "title": "批准"},
                                                                  {"const": False, "title": "驳回"}]},
        "legacy": {"type": "string", "enum": ["x", "y"], "x-enumNames": ["旧甲", "旧乙"]},
        "ok": {"type": "boolean", "title": "已知悉", "const": True},
        "channels": {"type": "array", "uniqueItems": True,
                     "items": {"type": "string", "oneOf": [{"const": "wechat", "title": "微信"},
                                                           {"const": "douyin", "title": "抖音"}]}},
        "lines": {"type": "array", "title": "明细", "minItems": 1, "items": {
            "type": "object", "required": ["sku", "qty"],
            "properties": {"sku": {"type": "string", "title": "款号"},
                           "qty": {"type": "integer", "title": "数量"}}}},
        "received": {"type": "array", "items": {"type": "object", "properties": {
            "sku": {"type": "string", "readOnly": True}, "got": {"type": "integer", "title": "实收"}}}},
    },
}


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


def test_widgets_follow_the_schema(ctx):
    props = SCHEMA["properties"]
    assert {k: widget_of(k, p) for k, p in props.items()} == {
        "context": "text", "name": "text", "notes": "textarea", "qty": "integer", "price": "number",
        "day": "date",
        "kind": "radio", "approved": "radio", "legacy": "radio", "ok": "confirm", "channels": "checkboxes",
        "lines": "rows", "received": "rows"}
    fields = {f.key: f for f in build_fields(SCHEMA, {"kind": "b", "approved": False, "lines": []})}
    assert "context" not in fields  # read-only context is shown, never asked
    assert [c.label for c in fields["legacy"].choices] == ["旧甲", "旧乙"]
    assert [(c.label, fields["approved"].is_chosen(c)) for c in fields["approved"].choices] == [
        ("批准", False), ("驳回", True)]
    assert fields["kind"].required and not fields["price"].required
    assert [f.name for f in fields["lines"].rows[0]] == ["lines.0.sku", "lines.0.qty"]  # an empty row
    assert [c.name for c in fields["lines"].columns] == ["lines.__index__.sku", "lines.__index__.qty"]
    assert fields["received"].fixed_rows and fields["received"].rows == []


def test_errors_land_beside_their_inputs_in_the_users_language(ctx):
    errors = {"name": "required", "qty": "0 is less than the minimum of 1",
              "lines.0.qty": "'x' is not of type 'integer'", "ok": "False was expected", "context": "nope"}
    fields = {f.key: f for f in build_fields(SCHEMA, {"lines": [{"sku": "A", "qty": "x"}]}, errors)}
    assert fields["name"].error == "此项为必填项。"
    assert fields["qty"].error == "不能小于 1。"
    assert fields["lines"].rows[0][1].error == "请输入整数。" and fields["lines"].has_error
    assert fields["ok"].error == "请勾选确认。"
    assert schema_at(SCHEMA, "lines.3.qty") == {"type": "integer", "title": "数量"}


def test_posted_strings_become_typed_json(ctx):
    form = MultiDict([("name", " 衬衫 "), ("notes", ""), ("qty", "１２"), ("price", "1,299.50"),
                      ("day", "2026-11-03"), ("kind", "a"), ("approved", "false"), ("legacy", "zz"),
                      ("ok", "true"),
                      ("channels", "douyin"), ("channels", "wechat"), ("channels.__present__", "1"),
                      ("lines.0.sku", "A1"), ("lines.0.qty", "2"), ("lines.5.sku", ""), ("lines.5.qty", ""),
                      ("lines.9.sku", "B2"), ("lines.9.qty", "三"), ("lines.__present__", "1"),
                      ("context", "hacked")])
    data = parse_submission(SCHEMA, form)
    assert data == {"name": "衬衫", "qty": 12, "price": 1299.5, "day": "2026-11-03", "kind": "a",
                    "approved": False, "legacy": "zz", "ok": True, "channels": ["douyin", "wechat"],
                    "lines": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": "三"}]}
    assert parse_submission(SCHEMA, MultiDict()) == {}
    assert parse_submission(SCHEMA, MultiDict([("price", "1e999"), ("qty", "-1E999")])) == {
        "price": "1e999", "qty": "-1E999"}  # never Infinity
    assert MISSING not in data.values()


def test_fixed_rows_take_their_read_only_columns_from_the_case(ctx):
    original = {"received": [{"sku": "A1"}, {"sku": "B2"}]}
    form = MultiDict([("received.0.got", "3"), ("received.1.got", "0"), ("received.1.sku", "FORGED")])
    assert parse_submission(SCHEMA, form, original=original)["received"] == [{"sku": "A1", "got": 3},
                                                                              {"sku": "B2", "got": 0}]


def _token(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _receive_task(api) -> int:
    """A quality return of two lines (5 × 199 and 2 × 399), approved, waiting at 收货检验."""
    start = api.as_("franchisee_nj01").post("/processes/product_return/instances", json={"data": {
        "store_code": "NJ01", "return_type": "quality", "reason": "面料起球",
        "items": [{"sku": "SKU-1001", "name": "衬衫", "quantity": 5, "unit_price": 199},
                  {"sku": "SKU-2002", "name": "连衣裙", "quantity": 2, "unit_price": 399}]}}).get_json()
    review = start["open_tasks"][0]["id"]
    case = api.as_("cs_li").post(f"/tasks/{review}/complete",
                                 json={"data": {"valid": True, "review_comment": "属实"}}).get_json()
    for _ in range(3):  # approvals the return_approval table asks for, if any
        approvals = [t for t in case["open_tasks"] if t["element_id"] != "receive_inspect"]
        if not approvals:
            break
        who = {"merchandiser": "merch_zhao", "ops_director": "director"}[approvals[0]["role"]]
        case = api.as_(who).post(f"/tasks/{approvals[0]['id']}/complete",
                                 json={"data": {"approved": True}}).get_json()
    [receive] = [t for t in case["open_tasks"] if t["element_id"] == "receive_inspect"]
    return receive["id"]


def test_the_warehouse_fills_in_received_quantities_per_line(client, auth, api):
    receive = _receive_task(api)
    auth.login("warehouse_qian")
    path = f"/tasks/{receive}"
    client.post(f"{path}/claim", data={"csrf_token": _token(client, path)})
    html = client.get(path).get_data(as_text=True)
    assert 'name="received_items.1.received_quantity"' in html and "SKU-2002" in html
    assert 'name="received_items.0.sku"' not in html and "data-add-row" not in html  # lines are fixed
    form = {"csrf_token": _token(client, path), "received_date": "2026-11-05", "inspection_result": "partial",
            "defect_confirmed": "true", "received_items.0.received_quantity": "5",
            "received_items.0.accepted_quantity": "4", "received_items.1.received_quantity": "2",
            "received_items.1.accepted_quantity": "-1"}
    response = client.post(path, data=form)
    assert response.status_code == 422
    assert 'id="f-received_items-1-accepted_quantity-error"' in response.get_data(as_text=True)
    form.update({"received_items.1.accepted_quantity": "2", "csrf_token": _token(client, path)})
    response = client.post(path, data=form)
    assert response.status_code == 303
    assert "财务退款对帐" in client.get("/tasks").get_data(as_text=True)  # the flash names the next step


def test_the_api_refuses_quantities_above_the_approved_lines_naming_each_field(api):
    receive = _receive_task(api)
    warehouse = api.as_("warehouse_qian")
    lines = warehouse.get(f"/tasks/{receive}").get_json()["case"]["received_items"]
    inspection = {"received_date": "2026-11-05", "inspection_result": "partial", "defect_confirmed": False}
    too_many = [dict(lines[0], received_quantity=6, accepted_quantity=6), dict(lines[1], accepted_quantity=3)]
    complete = f"/tasks/{receive}/complete"
    response = warehouse.post(complete, json={"data": {**inspection, "received_items": too_many}})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {  # in the person's language, naming the bounding field's key
        "received_items.0.received_quantity": "不能大于quantity：5。",
        "received_items.0.accepted_quantity": "不能大于quantity：5。",
        "received_items.1.accepted_quantity": "不能大于received_quantity：2。"}
    added = lines + [dict(lines[1], sku="SKU-9999")]
    response = warehouse.post(complete, json={"data": {**inspection, "received_items": added}})
    assert (response.status_code, response.get_json()["fields"]) == (
        422, {"received_items": "此处不能增加或删除行，请保留原有的 2 行。"})
    response = warehouse.post(complete, data='{"data": {"received_date": "2026-11-05", '
                              '"received_items": [{"received_quantity": NaN}]}}',
                              content_type="application/json")
    assert response.status_code in (400, 422)  # the engine refuses NaN even where the parser lets it in
    forged = [dict(lines[0], unit_price=100000, sku="FAKE-1"), lines[1]]
    response = warehouse.post(complete, json={"data": {**inspection, "received_items": forged}})
    assert response.status_code == 200
    credit = [t for t in response.get_json()["open_tasks"] if t["element_id"] == "credit_note"][0]["id"]
    case = api.as_("finance_wu").get(f"/tasks/{credit}").get_json()["case"]
    assert case["default_credit_amount"] == 5 * 199 + 2 * 399
    assert case["inspected_items"][0]["sku"] == "SKU-1001"
    response = api.as_("finance_wu").post(f"/tasks/{credit}/complete", json={"data": {
        "credit_amount": 1794, "credit_note_no": "CN-2026-0001", "credit_date": "2026-11-06"}})
    assert (response.status_code, response.get_json()["fields"]) == (
        422, {"credit_amount": "不能大于default_credit_amount：1,793。"})


def test_the_task_form_words_a_broken_limit_with_the_field_that_sets_it(client, auth, api):
    receive = _receive_task(api)
    auth.login("warehouse_qian")
    path = f"/tasks/{receive}"
    client.post(f"{path}/claim", data={"csrf_token": _token(client, path)})
    form = {"csrf_token": _token(client, path), "received_date": "2026-11-05", "inspection_result": "partial",
            "defect_confirmed": "false", "received_items.0.received_quantity": "5",
            "received_items.0.accepted_quantity": "4", "received_items.1.received_quantity": "2",
            "received_items.1.accepted_quantity": "3", "received_items.1.unit_price": "77777"}
    response = client.post(path, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="f-received_items-1-accepted_quantity-error"[^>]*>\s*<i[^>]*></i>([^<]+)<',
                      html).group(1)
    assert error.strip() == "不能大于实收数量（件）：2。"
    assert "399" in html and "77777" not in html  # the read-only price is the case's
    assert "data-add-row" not in html and "data-remove-row" not in html
    form.update({"received_items.1.accepted_quantity": "2", "received_items.2.received_quantity": "9",
                 "csrf_token": _token(client, path)})
    html = client.post(path, data=form).get_data(as_text=True)  # a row the page never had
    assert "此处不能增加或删除行，请保留原有的 2 行。" in html
    del form["received_items.2.received_quantity"]
    form["csrf_token"] = _token(client, path)
    assert client.post(path, data=form).status_code == 303


def test_rule_messages_in_english(ctx, app):
    schema = {"type": "object", "properties": {
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "ordered": {"type": "integer", "title": "申请数量（件）", "readOnly": True},
            "got": {"type": "integer", "title": "实收数量（件）"}}}},
        "day": {"type": "string", "format": "date"}}}
    errors = {"lines.0.got": "must be at most 5 (ordered)", "day": "must be on or after 2026-11-02",
              "lines": "rows cannot be added or removed (keep the 2 rows)"}
    fields = {f.key: f for f in build_fields(schema, {"lines": [{"ordered": 5, "got": 6}]}, errors)}
    assert fields["lines"].rows[0][1].error == "不能大于申请数量（件）：5。"
    assert fields["day"].error == "日期不能早于 2026-11-02。"
    assert fields["lines"].error == "此处不能增加或删除行，请保留原有的 2 行。"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        from flask_babel import force_locale
        with force_locale("en"):
            fields = {f.key: f for f in build_fields(schema, {"lines": [{"ordered": 5, "got": 6}]}, errors)}
    assert fields["lines"].rows[0][1].error == "Enter at most 5 (Pieces requested)."
    assert fields["day"].error == "Enter a date on or after 2026-11-02."
