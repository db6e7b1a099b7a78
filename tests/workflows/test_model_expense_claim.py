"""费用报销/借支, walked path by path: the supervisor's approval, the `expense_approval` table's
countersign by the director and finance, rejection at either, finance's payment as the point of no
return, and advances."""
import pytest

from engine.bpmn import POINT_OF_NO_RETURN
from engine.errors import InvalidData
from tests.workflows.test_model_catalogue import BPMN, model, props

P = "expense_claim"


def supervise(case, data=None):
    return case.complete("supervisor_approval", data, role="store_supervisor", store_code="SH001")


def pay(case):
    return case.complete("payment", role="finance")


def test_a_small_claim_is_approved_by_the_supervisor_and_paid(start_case):
    case = start_case(P)
    assert case.ready_ids() == ["supervisor_approval"]
    shown = case.ready_task("supervisor_approval").data
    assert (shown["claim_amount"], shown["line_count"]) == (1586.5, 2)
    assert supervise(case) == ["payment"]
    assert case.ready_task("payment").data["claim_amount"] == 1586.5
    assert pay(case) == []
    assert case.completed and case.outcomes == ["paid"]
    assert case.data()["payment_no"] == "PAY-2026-1105"


def test_a_claim_rejected_by_the_supervisor_ends_rejected(start_case):
    case = start_case(P)
    with pytest.raises(InvalidData) as refused:
        supervise(case, {"approved": False})
    assert "supervisor_comment" in refused.value.fields
    assert supervise(case, {"approved": False, "supervisor_comment": "维修须先报备"}) == []
    assert case.completed and case.outcomes == ["rejected"]


LARGE = [{"category": "display", "expense_date": "2026-10-20", "amount": 12800, "note": "冬季橱窗道具"}]


def test_a_large_claim_is_countersigned_by_the_director_and_finance_then_paid(start_case):
    case = start_case(P, claim_lines=LARGE)
    assert supervise(case) == ["claim_countersign", "claim_countersign"]
    assert {t.role for t in case.ready("claim_countersign")} == {"ops_director", "finance"}
    assert case.complete("claim_countersign", role="ops_director") == ["claim_countersign"]
    assert case.complete("claim_countersign", role="finance") == ["payment"]
    assert pay(case) == [] and case.outcomes == ["paid"]


def test_one_countersigner_rejecting_ends_the_claim(start_case):
    case = start_case(P, claim_lines=LARGE)
    supervise(case)
    rejected = {"claim_countersign_approved": False, "countersign_comment": "超出季度陈列预算"}
    assert case.complete("claim_countersign", rejected, role="finance") == []
    assert case.completed and case.outcomes == ["rejected"]


@pytest.mark.parametrize("amount, countersigned", [(5000, False), (5000.01, True)])
def test_an_advance_needs_no_receipt_and_is_countersigned_above_5000(start_case, amount, countersigned):
    lines = [{"category": "travel", "expense_date": "2026-11-20", "amount": amount, "note": "华东巡店差旅"}]
    case = start_case(P, claim_type="advance", purpose="11月下旬巡店差旅借支", claim_lines=lines, photos=[])
    ready = supervise(case)
    assert ready == (["claim_countersign", "claim_countersign"] if countersigned else ["payment"])


def test_an_expense_claim_needs_a_receipt(start_case, start_data):
    without = {k: v for k, v in start_data[P].items() if k != "photos"}
    for data, overrides in ((without, {}), (None, {"photos": []})):
        with pytest.raises(InvalidData) as refused:
            start_case(P, data, **overrides)
        assert "photos" in refused.value.fields


@pytest.mark.parametrize("field, value", [
    ("claim_type", "loan"), ("claim_lines", []), ("purpose", ""), ("store_code", "SH-1"),
    ("claim_lines", [{"category": "travel", "expense_date": "2026-11-01", "amount": 0}]),
    ("claim_lines", [{"category": "gifts", "expense_date": "2026-11-01", "amount": 10}]),
])
def test_invalid_claims_get_field_errors(start_case, field, value):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **{field: value})
    assert any(f == field or f.startswith(field + ".") for f in refused.value.fields), refused.value.fields


def test_the_payment_is_a_point_of_no_return():
    process = model(P)
    payment = process.find(f"{BPMN}userTask[@id='payment']")
    assert props(payment)[POINT_OF_NO_RETURN] == "true"
