"""新店开业 through the engine API as the demo users: only the region's supervisor opens a planned
store; the director's approval with its 48-hour reminder, revision and withdrawal; above a budget of
1,000,000 the director's and finance's countersign (会签), either of whom may reject; the five parallel
preparation streams (the new store's own manager prepares it); inspection and remediation; the wait
until a week after the planned opening; and the store row turning `open`. `world.complete` checks at
every step who sees the task (and that everyone else is refused), renders its form against the case
and refuses invalid data without changing anything."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.errors import InvalidData, PermissionDenied
from engine.models import AuditEvent

P = "store_opening"
STREAMS = {"first_batch_allocation": "merch_zhao", "staff_training": "trainer_sun",
           "display_setup": "trainer_sun",
           "opening_promotion": "marketing_zhou", "opening_preparation": "manager_sh003"}
FIRST_WEEK = datetime(2026, 12, 24, 16, 0, tzinfo=timezone.utc)  # 2026-12-18 + 7 days, 00:00 in Shanghai


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


def prepare(world, case):
    for element, user in STREAMS.items():
        step(world, case, element, user)
    return step(world, case, "first_batch_shipping", "warehouse_qian")


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_an_approved_plan_is_prepared_inspected_and_the_store_opens(world):
    case = world.start("supervisor_east", P)
    assert (case.business_key, case.title) == ("SO-20261102-00001", "上海静安寺店开业 · 2026-12-18")
    approval = world.task(case.id, "plan_approval")
    assert world.who_sees(approval.id) == {"director"}
    world.refused(PermissionDenied, "supervisor_east", approval.id, {"approved": True})
    world.complete("director", approval)
    assert world.open_ids(case.id) == sorted(STREAMS)
    preparation = world.task(case.id, "opening_preparation")
    assert (preparation.store_code, world.who_sees(preparation.id)) == ("SH003", {"manager_sh003"})
    for manager in ("manager_sh001", "manager_sh002", "franchisee_nj01"):
        assert world.visible_tasks(manager) == []
    step(world, case, "first_batch_allocation", "merch_zhao")
    shipping = world.task(case.id, "first_batch_shipping")
    assert [line["sku"] for line in world.case_data(shipping.id)["allocation_lines"]] == ["W26-KN-2031",
                                                                                         "W26-CT-3005"]
    for element in list(STREAMS)[1:]:
        step(world, case, element, STREAMS[element])
        assert "pre_opening_inspection" not in world.open_ids(case.id)
    world.complete("warehouse_qian", shipping)
    inspection = world.task(case.id, "pre_opening_inspection")
    data = world.case_data(inspection.id)
    assert (data["shipment_no"], data["training_passed"], data["pos_ready"]) == ("SF1234567890", True, True)
    world.complete("supervisor_east", inspection)
    assert world.open_ids(case.id) == [] and world.row(case.id)["next_timer_at"] == FIRST_WEEK
    assert world.advance(until=FIRST_WEEK - timedelta(minutes=1)) == 0
    assert world.visible_tasks("manager_sh003") == [] and world.store_status("SH003") == "planned"
    assert world.advance(minutes=1) == 1
    report = world.task(case.id, "first_week_report")
    assert [t.id for t in world.visible_tasks("manager_sh003")] == [report.id]
    world.complete("manager_sh003", report)
    review = world.task(case.id, "opening_review")
    data = world.case_data(review.id)
    assert (data["first_week_sales"], data["budget"]) == (286500, 850000)
    done = world.complete("supervisor_east", review)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "opened", [])
    assert world.store_status("SH003") == "open"
    assert [e.data for e in world.events(case.id) if e.event_type == "store_status"] == [
        {"store_code": "SH003", "status": "open"}]
    world.assert_told(case, "supervisor_east", "opened")
    with pytest.raises(InvalidData) as refused:  # an open store cannot be opened again
        world.start("supervisor_east", P, planned_opening_date="2027-06-18")
    assert "store_code" in refused.value.fields


def test_only_the_regions_supervisor_opens_a_planned_store(world):
    for user in ("cs_li", "manager_sh003", "director", "merch_zhao"):
        with pytest.raises(PermissionDenied):
            world.start(user, P)
    with pytest.raises(InvalidData) as refused:  # SH001 is open, not planned
        world.start("supervisor_east", P, store_code="SH001", store_name="上海南京路店")
    assert "store_code" in refused.value.fields
    with pytest.raises(InvalidData) as refused:
        world.start("supervisor_east", P, budget=-1, planned_opening_date="2026-02-30")
    assert {"budget", "planned_opening_date"} <= set(refused.value.fields)
    assert world.visible_tasks("director") == [] and world.store_status("SH003") == "planned"


def test_a_rejected_plan_is_revised_reminded_remedied_and_every_form_renders(world, user_tasks):
    case = world.start("supervisor_east", P)
    approval = world.task(case.id, "plan_approval")
    refused = world.refused(InvalidData, "director", approval.id, {"approved": False})
    assert "director_comment" in refused.fields
    rejected = {"approved": False, "director_comment": "预算偏高，面积压缩到160平以内"}
    world.complete("director", approval, rejected)
    revision = world.task(case.id, "revise_plan")
    assert world.case_data(revision.id)["director_comment"] == "预算偏高，面积压缩到160平以内"
    world.complete("supervisor_east", revision)
    second = world.task(case.id, "plan_approval")
    data = world.case_data(second.id)
    assert (data["area_sqm"], data["budget"], data["planned_opening_date"]) == (160, 780000, "2026-12-25")
    world.advance(hours=49)
    step(world, case, "approval_reminder", "director")
    world.complete("director", second)
    prepare(world, case)
    inspection = world.task(case.id, "pre_opening_inspection")
    failed = {"inspection_date": "2026-12-16", "all_passed": False}
    assert "inspection_issues" in world.refused(InvalidData, "supervisor_east", inspection.id, failed).fields
    world.complete("supervisor_east", inspection, {**failed, "inspection_issues": "消防指示牌缺失；灯箱破损"})
    remediation = world.task(case.id, "remediation")
    assert world.who_sees(remediation.id) == {"manager_sh003"}
    assert world.case_data(remediation.id)["inspection_issues"] == "消防指示牌缺失；灯箱破损"
    world.complete("manager_sh003", remediation)
    step(world, case, "pre_opening_inspection", "supervisor_east")
    due = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # the revised date counts
    assert world.row(case.id)["next_timer_at"] == due
    world.advance(until=due)
    step(world, case, "first_week_report", "manager_sh003")
    done = step(world, case, "opening_review", "supervisor_east")
    assert (done.outcome, world.store_status("SH003")) == ("opened", "open")
    assert world.rendered[P] == user_tasks(P) - {"plan_countersign"}  # see the countersign test


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_above_a_million_the_director_and_finance_both_approve_and_either_can_reject(world):
    case = world.start("supervisor_east", P, budget=1_500_000)
    rows = world.instance(case.id).open_tasks
    assert [(t.element_id, t.role, t.assignee) for t in rows] == [
        ("plan_countersign", "ops_director", "director"), ("plan_countersign", "finance", "finance_wu")]
    director, finance = rows
    assert world.who_sees(director.id) == {"director"} and world.who_sees(finance.id) == {"finance_wu"}
    assert world.case_data(finance.id)["plan_countersigners"] == ["director", "finance_wu"]
    world.complete("director", director)
    refused = world.refused(InvalidData, "finance_wu", finance.id, {"countersign_approved": False})
    assert "countersign_comment" in refused.fields
    world.complete("finance_wu", finance, {"countersign_approved": False,
                                           "countersign_comment": "装修预算超出标准，请压缩"})
    revision = world.task(case.id, "revise_plan")
    data = world.case_data(revision.id)
    assert (data["approved"], data["plan_countersign_decisions"]) == (False, [True, False])
    assert data["director_comment"] == "会签未通过：各审批人的意见见审批记录"
    decided = [(e.event_type, e.data) for e in world.events(case.id) if e.event_type == "task_completed"]
    assert decided[-1] == ("task_completed", {"countersign_approved": False,
                                              "countersign_comment": "装修预算超出标准，请压缩"})

    world.complete("supervisor_east", revision, budget=1_200_000)  # still above: countersigned again
    again = world.instance(case.id).open_tasks
    assert [(t.element_id, t.assignee) for t in again] == [("plan_countersign", "director"),
                                                           ("plan_countersign", "finance_wu")]
    world.complete("finance_wu", again[1])
    assert world.open_ids(case.id) == ["plan_countersign"]
    world.complete("director", again[0])
    assert world.open_ids(case.id) == sorted(STREAMS)
    data = world.case_data(world.task(case.id, "staff_training").id)
    assert (data["approved"], data["plan_countersign_decisions"], data["budget"]) == (True, [True, True],
                                                                                       1_200_000)


def test_a_plan_revised_below_a_million_goes_to_the_director_alone(world):
    case = world.start("supervisor_east", P, budget=1_000_001)
    director, finance = world.instance(case.id).open_tasks
    world.complete("director", director, {"countersign_approved": False, "countersign_comment": "预算过高"})
    assert world.open_ids(case.id) == ["revise_plan"]  # finance's task closed with the rejection
    world.complete("supervisor_east", world.task(case.id, "revise_plan"))  # 780000
    assert world.open_ids(case.id) == ["plan_approval"]
    assert world.who_sees(world.task(case.id, "plan_approval").id) == {"director"}


def test_a_rejected_plan_can_be_withdrawn_and_the_store_stays_planned(world):
    case = world.start("supervisor_east", P)
    rejected = {"approved": False, "director_comment": "选址不符合区域规划"}
    step(world, case, "plan_approval", "director", rejected)
    revision = world.task(case.id, "revise_plan")
    assert revision.assignee == "supervisor_east"  # back to the supervisor who wrote the plan, by the model
    with world.sessions() as s:
        assert s.scalar(select(AuditEvent.data).where(AuditEvent.task_id == revision.id,
                                                      AuditEvent.event_type == "task_assigned")) == {
            "to": "supervisor_east", "by": "model"}
    done = step(world, case, "revise_plan", "supervisor_east", revision_action="withdraw",
                revision_note="放弃该选址")
    assert (done.status, done.outcome) == ("completed", "withdrawn")
    assert world.store_status("SH003") == "planned"
    world.assert_told(case, "supervisor_east", "withdrawn")


def test_the_director_is_reminded_after_48_hours_without_losing_the_approval(world):
    case = world.start("supervisor_east", P)
    assert world.row(case.id)["next_timer_at"] == world.clock() + timedelta(hours=48)
    assert world.advance(hours=47) == 0
    assert [t.element_id for t in world.visible_tasks("director")] == ["plan_approval"]
    assert world.advance(hours=1) == 1
    reminder = world.task(case.id, "approval_reminder")
    assert world.who_sees(reminder.id) == {"director"}
    assert world.case_data(reminder.id)["store_name"] == "上海静安寺店"
    assert world.advance(hours=48) == 0  # reminded once
    refused = world.refused(InvalidData, "director", reminder.id, {"acknowledged": False})
    assert "acknowledged" in refused.fields
    world.complete("director", reminder)
    assert world.open_ids(case.id) == ["plan_approval"]
    step(world, case, "plan_approval", "director")
    assert world.open_ids(case.id) == sorted(STREAMS) and world.row(case.id)["next_timer_at"] is None


def test_an_unread_reminder_does_not_keep_the_store_from_opening(world):
    case = world.start("supervisor_east", P)
    world.advance(hours=50)
    step(world, case, "plan_approval", "director")
    prepare(world, case)
    step(world, case, "pre_opening_inspection", "supervisor_east")
    world.advance(days=60)
    step(world, case, "first_week_report", "manager_sh003")
    done = step(world, case, "opening_review", "supervisor_east", check=False)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "opened", [])
    assert world.store_status("SH003") == "open" and world.visible_tasks("director") == []
