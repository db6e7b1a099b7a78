"""退货申请, walked path by path: every approval rule, each rejection, the 14-day expiry, inspection
failure, the quality-defect branch and the default credit amount."""
from datetime import datetime

import pytest

from engine.errors import InvalidData

P = "product_return"
BIG = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "quantity": 20, "unit_price": 1599.0}]  # 31 980 元


def approve_review(case):
    return case.complete("cs_review", role="cs_agent")


def test_overstock_return_is_approved_by_merchandising_received_and_credited(start_case):
    case = start_case(P)
    review = case.ready_task("cs_review").data
    assert (review["total_amount"], review["item_count"]) == (20 * 399 + 15 * 299, 2)
    assert approve_review(case) == ["merchandiser_approval"]
    assert case.complete("merchandiser_approval", role="merchandiser") == ["receive_inspect"]
    receipt = case.ready_task("receive_inspect").data
    assert receipt["approved_at"] == "2026-11-02T09:00:00+08:00"
    assert receipt["receive_deadline"] == "2026-11-16T09:00:00+08:00"
    assert [(r["sku"], r["quantity"], r["received_quantity"], r["accepted_quantity"])
            for r in receipt["received_items"]] == [("W26-KN-2031", 20, 20, 20), ("W26-PT-1102", 15, 15, 15)]
    assert case.advance(days=4) == ["receive_inspect"]
    assert case.complete("receive_inspect", role="warehouse_keeper") == ["credit_note"]
    finance = case.ready_task("credit_note").data
    assert finance["default_credit_amount"] == 18 * 399 + 15 * 299 == finance["credit_amount"]
    assert finance["accepted_quantity"] == 33
    assert [(r["sku"], r["accepted_quantity"], r["line_credit"]) for r in finance["inspected_items"]] == [
        ("W26-KN-2031", 18, 7182.0), ("W26-PT-1102", 15, 4485.0)]
    assert case.complete("credit_note", role="finance") == []
    assert case.outcomes == ["credited"] and case.completed
    assert case.data()["credit_amount"] == 11667.0


def test_an_invalid_request_is_rejected_by_customer_service(start_case):
    case = start_case(P)
    with pytest.raises(InvalidData) as refused:
        case.complete("cs_review", {"valid": False}, role="cs_agent")
    assert "review_comment" in refused.value.fields
    invalid = {"valid": False, "review_comment": "超过退货期限"}
    assert case.complete("cs_review", invalid, role="cs_agent") == []
    assert case.outcomes == ["rejected"] and case.completed and "end_review_rejected" in case.reached


def test_merchandising_can_reject(start_case):
    case = start_case(P)
    approve_review(case)
    with pytest.raises(InvalidData) as refused:
        case.complete("merchandiser_approval", {"approved": False}, role="merchandiser")
    assert "merchandiser_comment" in refused.value.fields
    rejected = {"approved": False, "merchandiser_comment": "当季款不予退货"}
    ready = case.complete("merchandiser_approval", rejected, role="merchandiser")
    assert ready == [] and case.outcomes == ["rejected"] and "end_merch_rejected" in case.reached


def test_the_director_can_reject_a_large_return(start_case):
    case = start_case(P, return_type="wrong_shipment", items=BIG)
    assert approve_review(case) == ["director_approval"]
    director = case.ready_task("director_approval").data
    assert (director["total_amount"], director["merchandiser_comment"], director["review_comment"]) == (
        31980.0, "", "明细与进货记录一致，符合加盟退货政策")
    ready = case.complete("director_approval", {"approved": False, "director_comment": "请先核实发货单"},
                          role="ops_director")
    assert ready == [] and case.outcomes == ["rejected"] and "end_director_rejected" in case.reached


@pytest.mark.parametrize("return_type, items, approvals", [
    ("overstock", BIG, ["merchandiser_approval", "director_approval"]),  # row 1
    ("overstock", None, ["merchandiser_approval"]),  # row 2
    ("quality", BIG, ["merchandiser_approval", "director_approval"]),  # row 3
    ("quality", [{"sku": "W26-DR-1088", "name": "真丝连衣裙", "quantity": 6, "unit_price": 899.0}],
     ["merchandiser_approval"]),  # row 4: 5 394 元
    ("wrong_shipment", BIG, ["director_approval"]),  # row 5
    ("wrong_shipment", None, []),  # row 6
    ("quality", [{"sku": "W26-DR-1088", "name": "真丝连衣裙", "quantity": 5, "unit_price": 1000.0}],
     []),  # row 6
])
def test_approval_rules_choose_the_approvers(start_case, return_type, items, approvals):
    overrides = {"return_type": return_type} | ({"items": items} if items else {})
    case = start_case(P, **overrides)
    ready = approve_review(case)
    for step, role in (("merchandiser_approval", "merchandiser"), ("director_approval", "ops_director")):
        if step in approvals:
            assert ready == [step]
            ready = case.complete(step, role=role)
    assert ready == ["receive_inspect"]


def test_goods_not_received_within_14_days_close_the_case_as_expired(start_case):
    case = start_case(P)
    case.advance(days=2)  # the 14 days run from the approval, not from the request
    approve_review(case)
    case.complete("merchandiser_approval", role="merchandiser")
    assert case.next_timer == datetime.fromisoformat("2026-11-18T09:00:00+08:00")
    assert case.advance(days=13, hours=23) == ["receive_inspect"]
    assert case.advance(hours=2) == []
    assert case.outcomes == ["expired"] and case.completed and "end_expired" in case.reached


def test_confirmed_quality_defects_are_registered_without_holding_up_the_credit(start_case):
    case = start_case(P, return_type="quality", reason="面料起球严重")
    approve_review(case)
    case.complete("merchandiser_approval", role="merchandiser")

    def defective(data):
        return case.sample("receive_inspect", inspection_result="pass", defect_confirmed=True,
                           defect_notes="起球属面料问题")
    assert case.complete("receive_inspect", defective, role="warehouse_keeper") == [
        "credit_note", "quality_registration"]
    assert case.ready_task("quality_registration").data["inspection_result"] == "pass"
    assert case.complete("credit_note", role="finance") == ["quality_registration"]
    assert case.outcomes == ["credited"] and not case.completed
    assert case.complete("quality_registration", role="merchandiser") == []
    assert case.completed


def test_goods_that_fail_inspection_are_not_credited(start_case):
    case = start_case(P)
    approve_review(case)
    case.complete("merchandiser_approval", role="merchandiser")

    def failed(data):
        lines = [dict(line, accepted_quantity=0) for line in data["received_items"]]
        return {"received_items": lines, "received_date": "2026-11-05", "inspection_result": "fail",
                "defect_confirmed": False, "defect_notes": "人为污损，不予接收"}
    assert case.complete("receive_inspect", failed, role="warehouse_keeper") == []
    assert case.outcomes == ["rejected"] and "end_inspection_rejected" in case.reached and case.completed


def test_finance_may_credit_less_than_the_default(start_case):
    case = start_case(P, return_type="wrong_shipment")
    approve_review(case)
    case.complete("receive_inspect", role="warehouse_keeper")
    with pytest.raises(InvalidData) as refused:
        case.complete("credit_note", {"credit_amount": -1, "credit_note_no": "cn 1"}, role="finance")
    assert {"credit_amount", "credit_note_no", "credit_date"} <= set(refused.value.fields)
    case.complete("credit_note", {"credit_amount": 11000, "credit_note_no": "CN-2026-2001",
                                  "credit_date": "2026-11-10"}, role="finance")
    assert case.data()["credit_amount"] == 11000


@pytest.mark.parametrize("change, field", [
    ({"items": []}, "items"),
    ({"items": [{"sku": "W26-KN-2031", "name": "开衫", "quantity": 0, "unit_price": 399}]},
     "items.0.quantity"),
    ({"items": [{"sku": "W26-KN-2031", "name": "开衫", "quantity": 1, "unit_price": -5}]},
     "items.0.unit_price"),
    ({"items": [{"sku": "W26-KN-2031", "quantity": 1, "unit_price": 5}]}, "items.0.name"),
    ({"return_type": "damaged"}, "return_type"),
    ({"reason": "x" * 1001}, "reason"),
])
def test_invalid_return_requests_get_field_errors(start_case, change, field):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **change)
    assert field in refused.value.fields


def test_received_quantities_must_not_be_negative(start_case):
    case = start_case(P, return_type="wrong_shipment")
    approve_review(case)

    def negative(data):
        line = dict(data["received_items"][0], received_quantity=-1)
        return case.sample("receive_inspect", received_items=[line])
    with pytest.raises(InvalidData) as refused:
        case.complete("receive_inspect", negative, role="warehouse_keeper")
    assert "received_items.0.received_quantity" in refused.value.fields


def test_a_quality_registration_counts_no_more_pieces_than_were_received(start_case):
    case = start_case(P, return_type="quality", reason="面料起球严重")
    approve_review(case)
    case.complete("merchandiser_approval", role="merchandiser")
    case.complete("receive_inspect", lambda data: case.sample("receive_inspect", defect_confirmed=True),
                  role="warehouse_keeper")  # 20 + 15 received
    assert case.refused("quality_registration", role="merchandiser", affected_quantity=36) == {
        "affected_quantity": "must be at most 35"}
    assert case.complete("quality_registration", case.sample("quality_registration", affected_quantity=35),
                         role="merchandiser") == ["credit_note"]
