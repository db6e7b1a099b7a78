"""客户投诉处理, walked path by path: every triage row, the compensation threshold, the rejection
loop, the reopen limit, the SLA escalation timer and the quality-feedback branch."""
from datetime import datetime

import pytest

from engine.errors import InvalidData

P = "complaint_handling"
QUALITY = dict(category="product_quality", description="连衣裙穿着一次腋下开线", amount_claimed=800)


def investigate(case, element="investigate_store", role="store_manager", **changes):
    scoped = role in ("store_manager", "store_supervisor")
    store = case.ready_task(element).store_code if scoped else None
    return case.complete(element, case.sample(element, **changes), role=role, store_code=store)


def test_service_complaint_is_investigated_by_the_store_and_closed(start_case):
    case = start_case(P)
    assert case.ready_ids() == ["investigate_store"]
    task = case.ready_task("investigate_store")
    triage = (task.data["severity"], task.data["handler_role"], task.data["sla_hours"])
    assert triage == ("minor", "store_manager", 24)
    assert task.data["sla_due_at"] == "2026-11-03T09:00:00+08:00"
    assert investigate(case) == ["customer_follow_up"]
    assert case.complete("customer_follow_up", role="cs_agent") == []
    assert case.outcomes == ["closed"] and case.completed
    assert "compensation_approval" not in case.seen and "end_closed" in case.reached


def test_compensation_above_the_threshold_is_approved_by_the_cs_manager(start_case):
    case = start_case(P, amount_claimed=1200)
    ready = investigate(case, resolution_type="compensation", compensation_amount=800)
    assert ready == ["compensation_approval"]
    seen = case.ready_task("compensation_approval").data
    assert (seen["compensation_amount"], seen["resolution_type"], seen["amount_claimed"]) == (
        800, "compensation", 1200)
    ready = case.complete("compensation_approval", {"approved": True}, role="cs_manager")
    assert ready == ["customer_follow_up"]
    assert case.complete("customer_follow_up", role="cs_agent") == []
    assert case.outcomes == ["closed"]


def test_rejected_compensation_goes_back_to_investigation_with_the_managers_comment(start_case):
    case = start_case(P, amount_claimed=1200)
    investigate(case, compensation_amount=800)
    with pytest.raises(InvalidData) as refused:
        case.complete("compensation_approval", {"approved": False}, role="cs_manager")
    assert "approval_comment" in refused.value.fields
    rejected = {"approved": False, "approval_comment": "金额过高，建议改为换货"}
    ready = case.complete("compensation_approval", rejected, role="cs_manager")
    assert ready == ["investigate_store"]
    assert case.ready_task("investigate_store").data["approval_comment"] == "金额过高，建议改为换货"
    assert investigate(case, resolution_type="exchange", compensation_amount=0) == ["customer_follow_up"]
    case.complete("customer_follow_up", role="cs_agent")
    assert case.outcomes == ["closed"] and case.completed


def test_an_unsatisfied_customer_reopens_twice_then_the_manager_decides(start_case):
    case = start_case(P)
    unhappy = {"customer_satisfied": False, "feedback": "仍不满意，要求赔偿"}
    for reopened in (1, 2):
        investigate(case)
        assert case.complete("customer_follow_up", unhappy, role="cs_agent") == ["investigate_store"]
        again = case.ready_task("investigate_store").data
        assert (again["reopen_count"], again["feedback"]) == (reopened, "仍不满意，要求赔偿")
    investigate(case)
    assert case.complete("customer_follow_up", unhappy, role="cs_agent") == ["final_decision"]
    assert case.ready_task("final_decision").data["reopen_count"] == 3
    with pytest.raises(InvalidData) as refused:
        more = {"final_resolution": "additional_compensation", "final_comment": "追加"}
        case.complete("final_decision", more, role="cs_manager")
    assert "final_compensation_amount" in refused.value.fields
    assert case.complete("final_decision", role="cs_manager") == []
    assert case.outcomes == ["closed"] and "end_final" in case.reached and case.completed


def test_overdue_investigation_is_escalated_to_the_cs_manager_without_interrupting_it(start_case):
    case = start_case(P)
    assert case.next_timer == datetime.fromisoformat("2026-11-03T01:00:00+00:00")
    assert case.advance(hours=23) == ["investigate_store"]
    assert case.advance(hours=2) == ["investigate_store", "sla_escalation"]
    escalation = case.ready_task("sla_escalation").data
    assert (escalation["handler_role"], escalation["severity"]) == ("store_manager", "minor")
    assert case.complete("sla_escalation", role="cs_manager") == ["investigate_store"]
    investigate(case)
    case.complete("customer_follow_up", role="cs_agent")
    assert case.outcomes == ["closed"] and case.completed


def test_the_sla_timer_ends_with_the_investigation_and_restarts_when_it_is_reopened(start_case):
    case = start_case(P)
    case.advance(hours=20)
    investigate(case)
    assert case.next_timer is None
    case.complete("customer_follow_up", {"customer_satisfied": False, "feedback": "不满意"}, role="cs_agent")
    assert case.next_timer == datetime.fromisoformat("2026-11-03T21:00:00+00:00")
    assert case.advance(hours=25) == ["investigate_store", "sla_escalation"]


def test_quality_feedback_does_not_block_closing_the_complaint(start_case):
    case = start_case(P, **QUALITY)
    assert case.ready_ids() == ["investigate_merch", "quality_registration"]
    assert case.ready_task("quality_registration").role == "merchandiser"
    investigate(case, "investigate_merch", "merchandiser")
    case.complete("customer_follow_up", role="cs_agent")
    assert case.outcomes == ["closed"]
    assert not case.completed and case.ready_ids() == ["quality_registration"]
    assert case.complete("quality_registration", role="merchandiser") == []
    assert case.completed and case.outcomes == ["closed"]


def test_other_categories_get_no_quality_task(start_case):
    case = start_case(P, category="logistics", description="快递外包装破损")
    assert case.ready_ids() == ["investigate_warehouse"]


@pytest.mark.parametrize("category, amount, severity, element, role, sla", [
    ("product_quality", 5000, "critical", "investigate_supervisor", "store_supervisor", 12),  # row 1
    ("service", 10000, "critical", "investigate_supervisor", "store_supervisor", 12),  # row 2
    ("product_quality", 1000, "major", "investigate_merch", "merchandiser", 24),  # row 3
    ("product_quality", 999, "minor", "investigate_merch", "merchandiser", 48),  # row 4
    ("service", 2000, "major", "investigate_store", "store_manager", 24),  # row 5
    ("service", 0, "minor", "investigate_store", "store_manager", 24),  # row 6
    ("logistics", 2000, "major", "investigate_warehouse", "warehouse_keeper", 24),  # row 7
    ("logistics", 1999.5, "minor", "investigate_warehouse", "warehouse_keeper", 48),  # row 8
    ("other", 9999, "minor", "investigate_store", "store_manager", 48),  # row 9
])
def test_triage_rows_route_the_investigation(start_case, category, amount, severity, element, role, sla):
    case = start_case(P, category=category, amount_claimed=amount)
    task = case.ready_task(element)
    assert task.role == role
    assert (task.data["severity"], task.data["handler_role"], task.data["sla_hours"]) == (severity, role, sla)
    assert task.data["max_reopens"] == 2
    due = f"2026-11-{2 + (1 + sla) // 24:02d}T{(1 + sla) % 24:02d}:00:00+00:00"
    assert case.next_timer == datetime.fromisoformat(due)
    expected = ["customer_follow_up"] + (["quality_registration"] if category == "product_quality" else [])
    assert investigate(case, element, role) == expected
    case.complete("customer_follow_up", role="cs_agent")
    assert case.outcomes == ["closed"]


@pytest.mark.parametrize("category, amount, compensation, needs_approval", [
    ("service", 0, 500.01, True),  # row 1: above 500
    ("product_quality", 6000, 100, True),  # row 2: any compensation on a critical complaint
    ("service", 0, 500, False),  # row 3: 500 itself needs no approval
    ("product_quality", 6000, 0, False),  # row 3: critical without compensation
])
def test_compensation_approval_rows(start_case, category, amount, compensation, needs_approval):
    case = start_case(P, category=category, amount_claimed=amount)
    [element] = [t for t in case.ready_ids() if t.startswith("investigate_")]
    role = case.ready_task(element).role
    ready = investigate(case, element, role, compensation_amount=compensation)
    assert ("compensation_approval" in ready) is needs_approval
    assert ("customer_follow_up" in ready) is not needs_approval


def test_critical_complaints_go_to_the_supervisor_of_the_stores_region(start_case):
    case = start_case(P, category="service", amount_claimed=12000, store_code="HZ001")
    task = case.ready_task("investigate_supervisor")
    assert task.data["store_code"] == "HZ001" and task.role == "store_supervisor"


@pytest.mark.parametrize("field, value", [
    ("customer_phone", "12345"), ("category", "price"), ("amount_claimed", -1), ("store_code", "sh001"),
    ("description", "x" * 2001), ("description", "坏"), ("channel", "email"),
])
def test_invalid_start_data_gets_field_errors(start_case, field, value):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **{field: value})
    assert field in refused.value.fields


def test_a_four_character_chinese_complaint_is_long_enough(start_case):
    case = start_case(P, description="衣服开线")
    assert case.ready_ids() == ["investigate_store"]


def test_investigation_refuses_a_negative_compensation(start_case):
    case = start_case(P)
    with pytest.raises(InvalidData) as refused:
        investigate(case, compensation_amount=-50)
    assert "compensation_amount" in refused.value.fields
    assert case.ready_ids() == ["investigate_store"]
