"""退货申请 through the engine API as the demo users: who may request a return, customer-service
review and its rejection, every approval rule of `return_approval`, each approver's rejection, the
14-day receipt expiry, inspection failure, the quality-defect branch and the default credit amount.
`world.complete` checks at every step who sees the task (and that everyone else is refused), renders
its form against the case and refuses invalid data without changing anything."""
from datetime import timedelta

import pytest

from engine.errors import Conflict, InvalidData, PermissionDenied

P = "product_return"
BIG = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "quantity": 20, "unit_price": 1599.0}]  # 31 980 元


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_an_overstock_return_is_approved_received_and_credited(world):
    case = world.start("franchisee_nj01", P)
    assert (case.business_key, case.store_code) == ("RT-20261102-00001", "NJ01")
    review = world.task(case.id, "cs_review")
    assert world.who_sees(review.id) == {"cs_li", "cs_wang"}
    data = world.case_data(review.id)
    assert (data["total_amount"], data["item_count"]) == (20 * 399 + 15 * 299, 2)
    world.claim("cs_li", review.id)
    assert [t.id for t in world.visible_tasks("cs_li")] == [review.id]
    assert world.visible_tasks("cs_wang") == []
    with pytest.raises(Conflict):
        world.claim("cs_wang", review.id)
    world.refused(PermissionDenied, "cs_wang", review.id, world.sample(review))
    world.complete("cs_li", review)
    assert world.open_ids(case.id) == ["merchandiser_approval"]
    step(world, case, "merchandiser_approval", "merch_zhao")
    receipt = world.task(case.id, "receive_inspect")
    assert world.who_sees(receipt.id) == {"warehouse_qian"}
    data = world.case_data(receipt.id)
    assert data["receive_deadline"] == "2026-11-16T09:00:00+08:00"
    assert world.row(case.id)["next_timer_at"] == world.clock() + timedelta(days=14)
    assert world.advance(days=4) == 0
    step(world, case, "receive_inspect", "warehouse_qian")
    credit = world.task(case.id, "credit_note")
    data = world.case_data(credit.id)
    assert data["default_credit_amount"] == 18 * 399 + 15 * 299 == data["credit_amount"]
    assert [(r["sku"], r["accepted_quantity"]) for r in data["inspected_items"]] == [
        ("W26-KN-2031", 18), ("W26-PT-1102", 15)]
    assert world.outcomes("franchisee_nj01") == {}
    done = step(world, case, "credit_note", "finance_wu")
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "credited", [])
    world.assert_told(case, "franchisee_nj01", "credited")
    assert world.row(case.id)["next_timer_at"] is None


def test_who_may_request_a_return(world):
    with pytest.raises(PermissionDenied):
        world.start("analyst_zheng", P)
    with pytest.raises(PermissionDenied):  # the franchisee returns goods of its own store only
        world.start("franchisee_nj01", P, store_code="SH001")
    with pytest.raises(InvalidData) as refused:
        world.start("franchisee_nj01", P, items=[{"sku": "W26-KN-2031", "name": "开衫", "quantity": 0,
                                                  "unit_price": -5}])
    assert {"items.0.quantity", "items.0.unit_price"} <= set(refused.value.fields)
    assert world.outcomes("franchisee_nj01") == {} and world.visible_tasks("cs_li") == []
    for user, store in (("manager_sh002", "SH002"), ("cs_li", "HZ001")):
        case = world.start(user, P, store_code=store)
        assert (case.store_code, case.started_by) == (store, user)
    assert len(world.visible_tasks("cs_wang")) == 2


def test_an_invalid_request_is_rejected_by_customer_service_and_the_requester_told(world):
    case = world.start("franchisee_nj01", P)
    review = world.task(case.id, "cs_review")
    refused = world.refused(InvalidData, "cs_wang", review.id, {"valid": False})
    assert "review_comment" in refused.fields
    done = world.complete("cs_wang", review, {"valid": False, "review_comment": "超过退货期限"})
    assert (done.status, done.outcome) == ("completed", "rejected")
    world.assert_told(case, "franchisee_nj01", "rejected")


def test_merchandising_rejects(world):
    case = world.start("manager_sh001", P, store_code="SH001")
    step(world, case, "cs_review", "cs_li")
    approval = world.task(case.id, "merchandiser_approval")
    refused = world.refused(InvalidData, "merch_zhao", approval.id, {"approved": False})
    assert "merchandiser_comment" in refused.fields
    rejected = {"approved": False, "merchandiser_comment": "当季款不予退货"}
    done = world.complete("merch_zhao", approval, rejected)
    assert (done.status, done.outcome) == ("completed", "rejected")
    world.assert_told(case, "manager_sh001", "rejected")


def test_the_director_rejects_a_large_return_that_cs_li_cannot_decide(world):
    case = world.start("franchisee_nj01", P, return_type="wrong_shipment", items=BIG)
    step(world, case, "cs_review", "cs_li")
    approval = world.task(case.id, "director_approval")
    assert world.who_sees(approval.id) == {"director"}
    decision = {"approved": False, "director_comment": "请先核实发货单"}
    for outsider in ("cs_li", "merch_zhao", "cs_manager", "franchisee_nj01"):
        world.refused(PermissionDenied, outsider, approval.id, decision)
    data = world.case_data(approval.id)
    assert (data["total_amount"], data["review_comment"]) == (31980.0, "明细与进货记录一致，符合加盟退货政策")
    done = world.complete("director", approval, decision)
    assert (done.status, done.outcome) == ("completed", "rejected")
    world.assert_told(case, "franchisee_nj01", "rejected")
    # the model cc's the director's decision to the supervisor of the store's region (EAST), only
    [cc] = [e for e in world.events(case.id) if e.event_type == "case_cc"]
    assert (cc.element_id, cc.data["to"]) == ("director_approval", ["supervisor_east"])


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
def test_each_approval_rule_chooses_the_approvers(world, return_type, items, approvals):
    case = world.start("franchisee_nj01", P, return_type=return_type, **({"items": items} if items else {}))
    step(world, case, "cs_review", "cs_wang", check=False)
    for element, user in (("merchandiser_approval", "merch_zhao"), ("director_approval", "director")):
        if element in approvals:
            assert world.open_ids(case.id) == [element]
            step(world, case, element, user)
    assert world.open_ids(case.id) == ["receive_inspect"]


def test_goods_not_received_within_14_days_of_approval_close_the_case_as_expired(world):
    case = world.start("franchisee_nj01", P)
    world.advance(days=2)  # the 14 days run from the approval, not from the request
    step(world, case, "cs_review", "cs_li")
    step(world, case, "merchandiser_approval", "merch_zhao")
    due = world.clock() + timedelta(days=14)
    assert world.row(case.id)["next_timer_at"] == due
    assert world.advance(until=due - timedelta(minutes=1)) == 0
    receipt = world.task(case.id, "receive_inspect")
    assert [t.id for t in world.visible_tasks("warehouse_qian")] == [receipt.id]
    assert world.advance(minutes=1) == 1
    expired = world.instance(case.id)
    assert (expired.status, expired.outcome, expired.open_tasks) == ("completed", "expired", [])
    assert world.visible_tasks("warehouse_qian") == []
    with pytest.raises(Conflict):  # the expired receipt can no longer be done
        world.attempt("warehouse_qian", receipt.id, world.sample(receipt))
    world.assert_told(case, "franchisee_nj01", "expired")


def test_confirmed_quality_defects_are_registered_without_holding_up_the_credit(world):
    case = world.start("franchisee_nj01", P, return_type="quality", reason="面料起球严重")
    step(world, case, "cs_review", "cs_li")
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "receive_inspect", "warehouse_qian", inspection_result="pass", defect_confirmed=True,
         defect_notes="起球属面料问题")
    assert world.open_ids(case.id) == ["credit_note", "quality_registration"]
    registration = world.task(case.id, "quality_registration")
    assert world.who_sees(registration.id) == {"merch_zhao"}
    assert world.case_data(registration.id)["defect_notes"] == "起球属面料问题"
    assert world.open_ids(step(world, case, "credit_note", "finance_wu").id) == ["quality_registration"]
    done = world.complete("merch_zhao", registration)
    assert (done.status, done.outcome) == ("completed", "credited")
    world.assert_told(case, "franchisee_nj01", "credited")


def test_the_requester_is_told_of_the_credit_while_the_quality_registration_is_still_open(world):
    case = world.start("franchisee_nj01", P, return_type="quality")
    for element, user in (("cs_review", "cs_li"), ("merchandiser_approval", "merch_zhao")):
        step(world, case, element, user, check=False)
    step(world, case, "receive_inspect", "warehouse_qian", check=False, defect_confirmed=True)
    step(world, case, "credit_note", "finance_wu", check=False)
    assert world.outcomes("franchisee_nj01").get(case.id) == "credited"


def test_goods_that_fail_inspection_are_rejected_and_not_credited(world):
    case = world.start("franchisee_nj01", P, return_type="wrong_shipment")
    step(world, case, "cs_review", "cs_li")

    def failed(data):
        return {"received_items": [dict(line, accepted_quantity=0) for line in data["received_items"]],
                "received_date": "2026-11-05", "inspection_result": "fail", "defect_confirmed": False,
                "defect_notes": "人为污损，不予接收"}
    done = step(world, case, "receive_inspect", "warehouse_qian", failed)
    assert (done.status, done.outcome) == ("completed", "rejected")
    assert world.visible_tasks("finance_wu") == []
    world.assert_told(case, "franchisee_nj01", "rejected")


def test_finance_may_credit_less_than_the_default_and_the_warehouse_cannot_count_below_zero(world):
    case = world.start("franchisee_nj01", P, return_type="wrong_shipment")
    step(world, case, "cs_review", "cs_li")
    receipt = world.task(case.id, "receive_inspect")
    line = dict(world.case_data(receipt.id)["received_items"][0], received_quantity=-1)
    negative = world.sample(receipt, received_items=[line])
    refused = world.refused(InvalidData, "warehouse_qian", receipt.id, negative)
    assert "received_items.0.received_quantity" in refused.fields
    step(world, case, "receive_inspect", "warehouse_qian")
    credit = world.task(case.id, "credit_note")
    bad = {"credit_amount": -1, "credit_note_no": "cn 1"}
    refused = world.refused(InvalidData, "finance_wu", credit.id, bad)
    assert {"credit_amount", "credit_note_no", "credit_date"} <= set(refused.fields)
    world.complete("finance_wu", credit, credit_amount=11000, credit_note_no="CN-2026-2001")
    assert world.instance(case.id).outcome == "credited"
    [completed] = [e for e in world.events(case.id) if e.event_type == "task_completed"
                   and e.element_id == "credit_note"]
    assert (completed.actor, completed.data["credit_amount"]) == ("finance_wu", 11000)


def test_every_form_renders_against_its_case_data(world, user_tasks):
    case = world.start("cs_li", P, store_code="SH002", return_type="quality", items=BIG)
    for element, user in (("cs_review", "cs_wang"), ("merchandiser_approval", "merch_zhao"),
                          ("director_approval", "director")):
        step(world, case, element, user)
    step(world, case, "receive_inspect", "warehouse_qian", defect_confirmed=True)
    step(world, case, "quality_registration", "merch_zhao")
    step(world, case, "credit_note", "finance_wu")
    assert world.instance(case.id).outcome == "credited"
    assert world.rendered[P] == user_tasks(P)


TEE = [{"sku": "W26-TS-0101", "name": "基础T恤", "quantity": 10,
        "unit_price": 199.0}]  # 1 990 元, no approver
FORGED_LINE = {"sku": "W26-TS-0101", "name": "基础T恤", "quantity": 100000, "unit_price": 100000,
               "received_quantity": 100000, "accepted_quantity": 100000}
NEVER_APPROVED = {"sku": "W26-LUX-9999", "name": "未批准的货品", "quantity": 100000, "unit_price": 199,
                  "received_quantity": 100000, "accepted_quantity": 100000}


def test_the_warehouse_writes_only_quantities_and_only_within_the_approved_lines(world):
    """Before the form was the write contract, this return approved at 1 990 元 was received as
    two lines at 100 000 pieces each, one at a price of 100 000 元, and credited 10 019 900 000 元."""
    case = world.start("franchisee_nj01", P, return_type="wrong_shipment", items=TEE)
    step(world, case, "cs_review", "cs_li")
    receipt = world.task(case.id, "receive_inspect")
    inspection = {"received_date": "2026-11-03", "inspection_result": "pass", "defect_confirmed": False}

    def receive(*lines, **changes):
        return world.refused(InvalidData, "warehouse_qian", receipt.id,
                             {**inspection, **changes, "received_items": list(lines)}).fields
    assert receive(FORGED_LINE, NEVER_APPROVED) == {
        "received_items": "rows cannot be added or removed (keep the 1 rows)"}
    assert receive() == {"received_items": "rows cannot be added or removed (keep the 1 rows)"}
    assert receive(FORGED_LINE) == {"received_items.0.received_quantity": "must be at most 10 (quantity)",
                                    "received_items.0.accepted_quantity": "must be at most 10 (quantity)"}
    assert receive(dict(FORGED_LINE, received_quantity=9, accepted_quantity=10)) == {
        "received_items.0.accepted_quantity": "must be at most 9 (received_quantity)"}
    early = dict(FORGED_LINE, received_quantity=10, accepted_quantity=9)
    assert receive(early, received_date="2026-11-01") == {
        "received_date": "must be on or after 2026-11-02 (approved_at)"}

    forged_price = dict(FORGED_LINE, sku="FAKE-SKU", name="假", received_quantity=10, accepted_quantity=9)
    world.complete("warehouse_qian", receipt, {**inspection, "received_items": [forged_price]})
    credit = world.task(case.id, "credit_note")
    data = world.case_data(credit.id)
    assert data["inspected_items"] == [{"sku": "W26-TS-0101", "name": "基础T恤", "unit_price": 199.0,
                                        "received_quantity": 10, "accepted_quantity": 9,
                                        "line_credit": 1791.0}]
    assert data["default_credit_amount"] == 1791.0

    note = {"credit_note_no": "CN-2026-3001", "credit_date": "2026-11-04"}
    refused = world.refused(InvalidData, "finance_wu", credit.id, {**note, "credit_amount": 1791.01})
    assert refused.fields == {"credit_amount": "must be at most 1791 (default_credit_amount)"}
    refused = world.refused(InvalidData, "finance_wu", credit.id, {**note, "credit_amount": float("nan")})
    assert refused.fields == {"credit_amount": "must be a finite number"}
    done = world.complete("finance_wu", credit, {**note, "credit_amount": 1791})
    assert (done.status, done.outcome) == ("completed", "credited")


def test_a_draft_shows_the_case_values_in_read_only_cells_whatever_it_was_saved_with(world):
    case = world.start("franchisee_nj01", P, return_type="wrong_shipment", items=TEE)
    step(world, case, "cs_review", "cs_li")
    receipt = world.task(case.id, "receive_inspect")
    draft = {"received_items": [FORGED_LINE, NEVER_APPROVED], "total_amount": 10 ** 10,
             "defect_notes": "待复核"}
    world.run("warehouse_qian", world.engine.save_draft, receipt.id, draft)
    # the only warehouse keeper holds the task (it went to her directly): she sees her draft
    shown = world.detail("warehouse_qian", receipt.id).draft
    assert shown["received_items"][0] == {"sku": "W26-TS-0101", "name": "基础T恤", "quantity": 10,
                                          "unit_price": 199.0, "received_quantity": 100000,
                                          "accepted_quantity": 100000}
    assert shown["received_items"][1] == {"received_quantity": 100000, "accepted_quantity": 100000}
    assert "total_amount" not in shown and shown["defect_notes"] == "待复核"
