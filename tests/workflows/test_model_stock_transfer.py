"""货品调拨, walked path by path in the words of the model: every row of `transfer_approval`, the
called 发货 (its steps are the case's, its data comes back), its follow-up loop, differences and
settlement; and the model's shape: the call activity calls `ship_goods`, deployed with it."""
import pytest
from lxml import etree

from engine.bpmn.deploy import collect_directory
from engine.bpmn.specs import parse_process
from engine.models import Store
from workflows import BPMN_DIR, FORMS_DIR
from workflows.stores import FENG

P = "stock_transfer"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def line(quantity, price=1599.0):
    return [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": quantity,
             "unit_price": price}]


@pytest.mark.parametrize("store, ship_from, from_store, quantity, approvals, settles", [
    ("SH001", "store", "SH002", 5, ["merchandiser_approval"], False),
    ("SH001", "store", "SH002", 40, ["merchandiser_approval", "director_approval"], False),
    ("SH001", "warehouse", None, 40, ["merchandiser_approval", "director_approval"], False),
    ("NJ01", "store", "SH002", 5, ["merchandiser_approval", "cs_approval"], True),
    ("SH001", "store", "NJ01", 5, ["merchandiser_approval", "cs_approval"], True),
    ("NJ01", "warehouse", None, 40, ["merchandiser_approval", "cs_approval", "director_approval"], True),
    ("HZ001", "store", "NJ01", 40, ["merchandiser_approval", "cs_approval", "director_approval"], True),
    # NJ01 and NJ02 are both 冯氏服饰's: customer service approves, nothing is settled
    ("NJ02", "store", "NJ01", 5, ["merchandiser_approval", "cs_approval"], False),
    ("NJ01", "store", "NJ02", 40, ["merchandiser_approval", "cs_approval", "director_approval"], False),
])
def test_the_approval_rules_ask_the_right_approvers_and_settle_between_owners(
        start_case, store, ship_from, from_store, quantity, approvals, settles):
    data = {"store_code": store, "ship_from": ship_from, "items": line(quantity)}
    if from_store:
        data["from_store"] = from_store
    case = start_case(P, **data)
    asked = []
    ready = case.ready_ids()
    while ready and ready[0].endswith("approval"):
        asked.append(ready[0])
        ready = case.complete(ready[0], role=case.ready_task(ready[0]).role)
    assert asked == approvals
    shipper = "ship_from_store" if from_store else "ship_from_warehouse"
    assert ready == [shipper]
    assert case.ready_task(shipper).store_code == (from_store or store)
    sender = case.ready_task(shipper)
    assert case.complete(shipper, store_code=sender.store_code, role=sender.role) == ["confirm_receipt"]
    shipped = case.ready_task("confirm_receipt").data
    assert (shipped["store_code"], shipped["shipped_quantity_total"]) == (store, quantity)
    ready = case.complete("confirm_receipt", store_code=store, role="store_manager")
    assert ready == (["settlement"] if settles else [])
    if settles:
        assert case.complete("settlement", role="finance") == []
    assert case.outcomes == ["transferred"] and case.completed


def test_the_merchandiser_chases_a_late_shipment_until_it_ships(start_case):
    case = start_case(P)
    case.complete("merchandiser_approval", role="merchandiser")
    assert case.advance(hours=72) == ["ship_escalation"]
    assert case.complete("ship_escalation", role="merchandiser") == ["ship_from_store"]
    assert case.advance(hours=24) == ["ship_escalation"]
    assert case.complete("ship_escalation", role="merchandiser") == ["ship_from_store"]
    assert case.complete("ship_from_store", store_code="SH002", role="store_manager") == ["confirm_receipt"]


def test_a_shortage_goes_to_the_merchandiser(start_case):
    case = start_case(P)
    case.complete("merchandiser_approval", role="merchandiser")
    case.complete("ship_from_store", store_code="SH002", role="store_manager")

    def short(data):
        lines = [dict(r) for r in data["received_items"]]
        lines[1].update(received_quantity=3, line_note="两件未到")
        return {"received_items": lines, "received_date": "2026-11-05"}
    assert case.complete("confirm_receipt", short, store_code="SH001", role="store_manager") == [
        "resolve_difference"]
    resolve = case.ready_task("resolve_difference").data
    assert [(r["sku"], r["shipped_quantity"], r["received_quantity"], r["short_quantity"])
            for r in resolve["difference_items"]] == [("W26-CT-3005", 5, 3, 2)]
    assert resolve["received_amount"] == 8 * 399 + 3 * 1599
    assert case.complete("resolve_difference", role="merchandiser") == []
    assert case.outcomes == ["transferred"]


def test_the_call_activity_calls_the_shared_ship_goods_deployed_with_it():
    process = etree.parse(str(BPMN_DIR / f"{P}.bpmn")).getroot().find(f"{BPMN}process")
    [call] = process.iter(f"{BPMN}callActivity")
    assert (call.get("id"), call.get("calledElement")) == ("ship", "ship_goods")
    files = {f.filename for f in collect_directory(BPMN_DIR, FORMS_DIR)[P]}
    assert {"ship_goods.bpmn", "ship_from_store.json", "ship_from_warehouse.json",
            "ship_escalation.json"} <= files
    parsed = parse_process(P, collect_directory(BPMN_DIR, FORMS_DIR)[P])
    assert parsed.english_names()["ship_from_store"]  # the called steps have English names too


def test_franchise_stores_of_different_owners_are_settled_and_one_without_an_owner_is_its_own(
        sqlite_world, start_case):
    """Give NJ02 another franchisee, then none: either way a transfer from NJ01 is settled."""
    for owner in ("苏州李氏商贸", None):
        with sqlite_world.sessions() as s:
            s.get(Store, "NJ02").owner = owner
            s.commit()
        case = start_case(P, store_code="NJ02", ship_from="store", from_store="NJ01", items=line(2))
        data = case.ready_task("merchandiser_approval").data
        assert (data["store_owner"], data["from_store_owner"], data["needs_settlement"]) == (
            owner or "NJ02", FENG, True)
