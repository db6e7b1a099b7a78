"""新店开业, walked path by path: approval with its 48-hour reminder, revision and withdrawal, the
five parallel preparation streams, inspection and remediation, and the wait until a week after the
planned opening."""
from datetime import datetime

import pytest

from engine.errors import InvalidData

P = "store_opening"
STREAMS = {"first_batch_allocation": ("merchandiser", None), "staff_training": ("trainer", None),
           "display_setup": ("trainer", None), "opening_promotion": ("marketing", None),
           "opening_preparation": ("store_manager", "SH003")}


def supervise(case, element, data=None):
    return case.complete(element, data, role="store_supervisor", store_code="SH003")


def approve(case, data=None):
    return case.complete("plan_approval", data, role="ops_director")


def prepare_everything(case):
    for element, (role, store) in STREAMS.items():
        case.complete(element, role=role, store_code=store)
    return case.complete("first_batch_shipping", role="warehouse_keeper")


def test_an_approved_plan_is_prepared_inspected_opened_and_reviewed(start_case):
    case = start_case(P)
    assert case.ready_ids() == ["plan_approval"]
    assert approve(case) == sorted(STREAMS)
    assert case.ready_task("opening_preparation").data["store_code"] == "SH003"
    assert case.complete("first_batch_allocation", role="merchandiser") == sorted(
        {*STREAMS, "first_batch_shipping"} - {"first_batch_allocation"})
    shipping = case.ready_task("first_batch_shipping").data
    assert [line["sku"] for line in shipping["allocation_lines"]] == ["W26-KN-2031", "W26-CT-3005"]
    for element, (role, store) in list(STREAMS.items())[1:]:
        assert "pre_opening_inspection" not in case.complete(element, role=role, store_code=store)
    assert case.complete("first_batch_shipping", role="warehouse_keeper") == ["pre_opening_inspection"]
    inspection = case.ready_task("pre_opening_inspection").data
    assert (inspection["shipment_no"], inspection["training_passed"], inspection["pos_ready"]) == (
        "SF1234567890", True, True)
    assert supervise(case, "pre_opening_inspection") == []
    assert case.next_timer == datetime.fromisoformat("2026-12-25T00:00:00+08:00")
    assert case.advance(days=52) == []  # 2026-12-24 09:00
    assert case.advance(days=1) == ["first_week_report"]
    assert case.complete("first_week_report", role="store_manager", store_code="SH003") == ["opening_review"]
    review = case.ready_task("opening_review").data
    assert (review["first_week_sales"], review["budget"]) == (286500, 850000)
    assert supervise(case, "opening_review") == []
    assert case.outcomes == ["opened"] and case.completed
    assert case.data()["store_status"] == "open" and case.data()["store_code"] == "SH003"
    assert case.world.store_status("SH003") == "open"  # the engine opened the store row


def test_a_rejected_plan_is_revised_and_approved_again(start_case):
    case = start_case(P)
    with pytest.raises(InvalidData) as refused:
        approve(case, {"approved": False})
    assert "director_comment" in refused.value.fields
    rejected = {"approved": False, "director_comment": "预算偏高，面积压缩到160平以内"}
    assert approve(case, rejected) == ["revise_plan"]
    assert case.ready_task("revise_plan").data["director_comment"] == "预算偏高，面积压缩到160平以内"
    assert supervise(case, "revise_plan") == ["plan_approval"]
    second = case.ready_task("plan_approval").data
    revised = (second["area_sqm"], second["budget"], second["planned_opening_date"])
    assert revised == (160, 780000, "2026-12-25")
    assert second["revision_note"] == "缩小面积、压缩装修预算，开业推迟一周"
    approve(case)
    assert prepare_everything(case) == ["pre_opening_inspection"]
    supervise(case, "pre_opening_inspection")
    assert case.next_timer == datetime.fromisoformat("2027-01-01T00:00:00+08:00")  # the revised date counts


def test_a_rejected_plan_can_be_withdrawn(start_case):
    case = start_case(P)
    approve(case, {"approved": False, "director_comment": "选址不符合区域规划"})
    withdraw = case.sample("revise_plan", revision_action="withdraw", revision_note="放弃该选址")
    assert supervise(case, "revise_plan", withdraw) == []
    assert case.outcomes == ["withdrawn"] and case.completed


def test_the_director_is_reminded_after_48_hours_without_losing_the_approval(start_case):
    case = start_case(P)
    assert case.next_timer == datetime.fromisoformat("2026-11-04T01:00:00+00:00")
    assert case.advance(hours=47) == ["plan_approval"]
    assert case.advance(hours=2) == ["approval_reminder", "plan_approval"]
    reminder = case.ready_task("approval_reminder")
    assert reminder.role == "ops_director" and reminder.data["store_name"] == "上海静安寺店"
    with pytest.raises(InvalidData):
        case.complete("approval_reminder", {"acknowledged": False}, role="ops_director")
    assert case.complete("approval_reminder", role="ops_director") == ["plan_approval"]
    assert approve(case) == sorted(STREAMS)
    assert case.next_timer is None


def test_each_approval_round_has_its_own_reminder(start_case):
    case = start_case(P)
    approve(case, {"approved": False, "director_comment": "补充竞品分析"})
    case.advance(hours=10)
    supervise(case, "revise_plan")
    assert case.next_timer == datetime.fromisoformat("2026-11-04T11:00:00+00:00")


def test_an_unread_reminder_does_not_keep_the_store_from_opening(start_case):
    case = start_case(P)
    case.advance(hours=50)
    approve(case)
    assert "approval_reminder" in prepare_everything(case)
    supervise(case, "pre_opening_inspection")
    case.advance(days=60)
    case.complete("first_week_report", role="store_manager", store_code="SH003")
    assert supervise(case, "opening_review") == []
    assert case.completed and case.outcomes == ["opened"] and case.data()["store_status"] == "open"
    assert case.world.store_status("SH003") == "open"


def test_failed_inspection_is_remedied_by_the_store_and_inspected_again(start_case):
    case = start_case(P)
    approve(case)
    prepare_everything(case)
    with pytest.raises(InvalidData) as refused:
        supervise(case, "pre_opening_inspection", {"inspection_date": "2026-12-16", "all_passed": False})
    assert "inspection_issues" in refused.value.fields
    failed = {"inspection_date": "2026-12-16", "all_passed": False,
              "inspection_issues": "消防指示牌缺失；灯箱破损"}
    assert supervise(case, "pre_opening_inspection", failed) == ["remediation"]
    assert case.ready_task("remediation").data["inspection_issues"] == "消防指示牌缺失；灯箱破损"
    ready = case.complete("remediation", role="store_manager", store_code="SH003")
    assert ready == ["pre_opening_inspection"]
    assert supervise(case, "pre_opening_inspection") == []
    assert case.next_timer is not None


@pytest.mark.parametrize("field, value", [
    ("planned_opening_date", "2026-02-30"), ("budget", -1), ("area_sqm", 0), ("store_type", "franchise"),
    ("store_code", "SH-3"),
])
def test_invalid_plans_get_field_errors(start_case, field, value):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **{field: value})
    assert field in refused.value.fields


def test_an_opening_cannot_be_planned_for_a_day_already_past(start_case):
    with pytest.raises(InvalidData) as refused:  # the clock says 2 November 2026
        start_case(P, planned_opening_date="2026-11-01")
    assert refused.value.fields == {"planned_opening_date": "must be on or after 2026-11-02"}
    case = start_case(P, planned_opening_date="2026-11-02")
    approve(case, {"approved": False, "director_comment": "推迟"})
    assert case.refused("revise_plan", role="store_supervisor", store_code="SH003",
                        planned_opening_date="2026-10-30") == {
        "planned_opening_date": "must be on or after 2026-11-02"}


@pytest.mark.parametrize("element, role, changes, fields", [
    ("opening_promotion", "marketing", {"promotion_budget": 850001},
     {"promotion_budget": "must be at most 850000 (budget)"}),
    ("opening_promotion", "marketing",
     {"promotion_start_date": "2026-12-18", "promotion_end_date": "2026-12-17"},
     {"promotion_end_date": "must be on or after 2026-12-18 (promotion_start_date)"}),
    ("first_batch_shipping", "warehouse_keeper", {"expected_arrival_date": "2026-12-07"},
     {"expected_arrival_date": "must be on or after 2026-12-08 (shipped_date)"}),
])
def test_preparation_stays_within_the_approved_plan_and_its_own_dates(start_case, element, role, changes,
                                                                      fields):
    case = start_case(P)
    approve(case)
    case.complete("first_batch_allocation", role="merchandiser")
    assert case.refused(element, role=role, **changes) == fields


def test_remediation_is_not_dated_before_the_inspection_that_asked_for_it(start_case):
    case = start_case(P)
    approve(case)
    prepare_everything(case)
    supervise(case, "pre_opening_inspection", {"inspection_date": "2026-12-16", "all_passed": False,
                                               "inspection_issues": "灯箱破损"})
    early = case.refused("remediation", role="store_manager", store_code="SH003",
                         remediation_date="2026-12-15")
    assert early == {"remediation_date": "must be on or after 2026-12-16 (inspection_date)"}
