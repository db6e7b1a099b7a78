"""客户投诉处理 through the engine API as the demo users: who may start a complaint, every triage row
(handler and SLA), the compensation threshold and its rejection loop, the reopen limit, the SLA
escalation timer and the quality-feedback branch. `world.complete` checks at every step who sees
the task (and that everyone else is refused), renders its form against the case and refuses
invalid data without changing anything (tests/workflows/conftest.py)."""
from datetime import timedelta

import pytest

from engine.errors import InvalidData, PermissionDenied

P = "complaint_handling"
QUALITY = dict(category="product_quality", description="连衣裙穿着一次腋下开线", amount_claimed=800)
UNHAPPY = {"customer_satisfied": False, "feedback": "仍不满意，要求赔偿"}


def investigate(world, case, element="investigate_store", user="manager_sh001", check=True, **changes):
    return world.complete(user, world.task(case.id, element), check=check, **changes)


def follow_up(world, case, user="cs_wang", data=None, check=True):
    return world.complete(user, world.task(case.id, "customer_follow_up"), data, check=check)


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_service_complaint_is_investigated_by_its_store_and_closed(world):
    case = world.start("cs_li", P)
    assert (case.status, case.business_key, case.title) == (
        "running", "CP-20261102-00001", "王女士投诉 · SH001")
    task = world.task(case.id, "investigate_store")
    due = world.clock() + timedelta(hours=24)
    assert (task.role, task.store_code, task.due_at) == ("store_manager", "SH001", due)
    assert world.who_sees(task.id) == {"manager_sh001"}  # not manager_sh002, not the franchisee
    assert world.visible_tasks("manager_sh002") == [] and world.visible_tasks("franchisee_nj01") == []
    data = world.case_data(task.id)
    assert (data["severity"], data["handler_role"], data["sla_hours"]) == ("minor", "store_manager", 24)
    assert world.outcomes("cs_li") == {}
    after = investigate(world, case)
    assert [t.element_id for t in after.open_tasks] == ["customer_follow_up"]
    follow = after.open_tasks[0]
    assert world.who_sees(follow.id) == {"cs_li", "cs_wang"}
    with pytest.raises(PermissionDenied):  # only a supervisor hands work to someone
        world.assign("cs_li", follow.id, "cs_wang")
    world.assign("cs_manager", follow.id, "cs_wang")
    assert world.who_sees(follow.id) == {"cs_wang"}
    world.refused(PermissionDenied, "cs_li", follow.id, world.sample(follow))
    done = follow_up(world, case)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "closed", [])
    world.assert_told(case, "cs_li", "closed")
    assert world.row(case.id)["next_timer_at"] is None
    assert world.visible_tasks("manager_sh001") == [] and world.visible_tasks("cs_wang") == []


def test_who_may_register_a_complaint(world):
    with pytest.raises(PermissionDenied):
        world.start("merch_zhao", P)
    with pytest.raises(PermissionDenied):  # a store manager registers complaints of their own store
        world.start("manager_sh002", P, store_code="SH001")
    with pytest.raises(InvalidData) as refused:
        world.start("cs_li", P, customer_phone="12345", category="price")
    assert {"customer_phone", "category"} <= set(refused.value.fields)
    with pytest.raises(InvalidData) as refused:
        world.start("cs_li", P, store_code="XX999")
    assert "store_code" in refused.value.fields
    assert world.outcomes("cs_li") == {} and world.visible_tasks("manager_sh001") == []
    mine = world.start("manager_sh002", P, store_code="SH002", channel="store")
    assert world.who_sees(world.task(mine.id, "investigate_store").id) == {"manager_sh002"}
    franchise = world.start("franchisee_nj01", P, store_code="NJ01", channel="franchisee")
    task = world.task(franchise.id, "investigate_store")
    assert world.visible_tasks("franchisee_nj01") == [task]  # NJ01 only
    investigate(world, franchise, user="franchisee_nj01")
    follow_up(world, franchise, "cs_li")
    world.assert_told(franchise, "franchisee_nj01", "closed")


@pytest.mark.parametrize("category, amount, severity, element, handlers, sla", [
    ("product_quality", 5000, "critical", "investigate_supervisor", {"supervisor_east"}, 12),  # row 1
    ("service", 10000, "critical", "investigate_supervisor", {"supervisor_east"}, 12),  # row 2
    ("product_quality", 1000, "major", "investigate_merch", {"merch_zhao"}, 24),  # row 3
    ("product_quality", 999, "minor", "investigate_merch", {"merch_zhao"}, 48),  # row 4
    ("service", 2000, "major", "investigate_store", {"manager_hz001"}, 24),  # row 5
    ("service", 0, "minor", "investigate_store", {"manager_hz001"}, 24),  # row 6
    ("logistics", 2000, "major", "investigate_warehouse", {"warehouse_qian"}, 24),  # row 7
    ("logistics", 1999.5, "minor", "investigate_warehouse", {"warehouse_qian"}, 48),  # row 8
    ("other", 9999, "minor", "investigate_store", {"manager_hz001"}, 48),  # row 9
])
def test_each_triage_row_picks_the_handler_and_the_sla(world, category, amount, severity, element, handlers,
                                                       sla):
    case = world.start("cs_li", P, store_code="HZ001", category=category, amount_claimed=amount)
    task = world.task(case.id, element)
    assert world.who_sees(task.id) == handlers
    data = world.case_data(task.id)
    assert (data["severity"], data["sla_hours"]) == (severity, sla)
    assert world.row(case.id)["next_timer_at"] == world.clock() + timedelta(hours=sla)
    expected = ["customer_follow_up"] + (["quality_registration"] if category == "product_quality" else [])
    after = investigate(world, case, element, min(handlers))
    assert sorted(t.element_id for t in after.open_tasks) == expected


@pytest.mark.parametrize("category, amount, compensation, approval", [
    ("service", 0, 500.01, True),  # above 500
    ("service", 0, 500, False),  # 500 itself needs no approval
    ("service", 12000, 100, True),  # any compensation on a critical complaint
    ("service", 12000, 0, False),  # critical without compensation
])
def test_the_compensation_threshold(world, category, amount, compensation, approval):
    case = world.start("cs_li", P, category=category, amount_claimed=amount)
    [task] = world.instance(case.id).open_tasks
    user = "supervisor_east" if amount >= 10000 else "manager_sh001"
    after = investigate(world, case, task.element_id, user, check=False, resolution_type="compensation",
                        compensation_amount=compensation)  # who does it is checked by the triage rows
    assert [t.element_id for t in after.open_tasks] == (
        ["compensation_approval"] if approval else ["customer_follow_up"])


def test_rejected_compensation_goes_back_to_the_investigation_with_the_managers_comment(world):
    case = world.start("cs_li", P, amount_claimed=1200)
    investigate(world, case, resolution_type="compensation", compensation_amount=800)
    approval = world.task(case.id, "compensation_approval")
    data = world.case_data(approval.id)
    assert (data["compensation_amount"], data["amount_claimed"]) == (800, 1200)
    with pytest.raises(PermissionDenied):
        world.attempt("cs_li", approval.id, {"approved": True})
    refused = world.refused(InvalidData, "cs_manager", approval.id, {"approved": False})
    assert "approval_comment" in refused.fields
    world.complete("cs_manager", approval, {"approved": False, "approval_comment": "金额过高，建议改为换货"})
    again = world.task(case.id, "investigate_store")
    assert world.case_data(again.id)["approval_comment"] == "金额过高，建议改为换货"
    investigate(world, case, resolution_type="compensation", compensation_amount=600)
    world.complete("cs_manager", world.task(case.id, "compensation_approval"))
    done = follow_up(world, case)
    assert (done.status, done.outcome) == ("completed", "closed")
    world.assert_told(case, "cs_li", "closed")


def test_the_third_unsatisfied_follow_up_goes_to_the_cs_managers_final_decision(world):
    case = world.start("cs_li", P)
    for reopened in (1, 2):
        investigate(world, case, check=reopened == 1)
        follow_up(world, case, data=UNHAPPY, check=reopened == 1)
        again = world.task(case.id, "investigate_store")
        assert world.case_data(again.id)["reopen_count"] == reopened
        assert world.who_sees(again.id) == {"manager_sh001"}
    investigate(world, case, check=False)
    after = follow_up(world, case, data=UNHAPPY, check=False)
    assert [t.element_id for t in after.open_tasks] == ["final_decision"]
    final = after.open_tasks[0]
    assert world.case_data(final.id)["reopen_count"] == 3
    refused = world.refused(InvalidData, "cs_manager", final.id,
                            {"final_resolution": "additional_compensation", "final_comment": "追加"})
    assert "final_compensation_amount" in refused.fields
    done = world.complete("cs_manager", final)
    assert (done.status, done.outcome) == ("completed", "closed")
    world.assert_told(case, "cs_li", "closed")
    assert [e.element_id for e in world.events(case.id) if e.event_type == "outcome"] == ["end_final"]


def test_an_overdue_investigation_is_escalated_to_the_cs_manager(world):
    case = world.start("cs_li", P)
    assert world.advance(hours=23) == 0
    assert world.open_ids(case.id) == ["investigate_store"] and world.visible_tasks("cs_manager") == []
    assert world.advance(hours=1) == 1  # due at 24 hours: fires then
    assert world.open_ids(case.id) == ["investigate_store", "sla_escalation"]
    escalation = world.task(case.id, "sla_escalation")
    assert world.who_sees(escalation.id) == {"cs_manager"}
    data = world.case_data(escalation.id)
    assert (data["handler_role"], data["sla_due_at"]) == ("store_manager", "2026-11-03T09:00:00+08:00")
    assert world.advance(hours=24) == 0  # fired once
    world.complete("cs_manager", escalation)
    assert world.open_ids(case.id) == ["investigate_store"]
    investigate(world, case)
    done = follow_up(world, case)
    assert (done.status, done.outcome) == ("completed", "closed")


def test_quality_feedback_goes_to_the_merchandiser_and_does_not_block_closing(world):
    case = world.start("cs_li", P, **QUALITY)
    assert world.open_ids(case.id) == ["investigate_merch", "quality_registration"]
    registration = world.task(case.id, "quality_registration")
    assert world.who_sees(registration.id) == {"merch_zhao"}
    assert world.case_data(registration.id)["description"] == QUALITY["description"]
    investigate(world, case, "investigate_merch", "merch_zhao")
    after = follow_up(world, case)
    assert [t.element_id for t in after.open_tasks] == ["quality_registration"]  # the complaint is closed
    done = world.complete("merch_zhao", registration)
    assert (done.status, done.outcome) == ("completed", "closed")
    world.assert_told(case, "cs_li", "closed")


def test_the_requester_is_told_when_the_complaint_closes_with_quality_feedback_still_open(world):
    case = world.start("cs_li", P, **QUALITY)
    investigate(world, case, "investigate_merch", "merch_zhao")
    follow_up(world, case)
    assert world.outcomes("cs_li").get(case.id) == "closed"


def test_every_form_renders_against_its_case_data(world, user_tasks):
    quality = world.start("cs_li", P, **QUALITY)
    world.advance(hours=49)
    world.complete("cs_manager", world.task(quality.id, "sla_escalation"))
    world.complete("merch_zhao", world.task(quality.id, "quality_registration"))
    investigate(world, quality, "investigate_merch", "merch_zhao", compensation_amount=800)
    world.complete("cs_manager", world.task(quality.id, "compensation_approval"),
                   {"approved": False, "approval_comment": "金额过高"})
    for _ in range(3):
        investigate(world, quality, "investigate_merch", "merch_zhao", check=False)
        follow_up(world, quality, data=UNHAPPY, check=False)
    world.complete("cs_manager", world.task(quality.id, "final_decision"))
    for overrides, element, user in (({"category": "logistics"}, "investigate_warehouse", "warehouse_qian"),
                                     ({"amount_claimed": 20000}, "investigate_supervisor", "supervisor_east"),
                                     ({}, "investigate_store", "manager_sh001")):
        case = world.start("cs_wang", P, **overrides)
        investigate(world, case, element, user)
        follow_up(world, case, "cs_li")
        assert world.instance(case.id).outcome == "closed"
    assert world.rendered[P] == user_tasks(P)


@pytest.mark.parametrize("not_a_number", [float("nan"), float("inf")])
def test_nan_and_infinity_never_skip_the_critical_routing_or_the_approval(world, not_a_number):
    """NaN passed `minimum`/`maximum` and every `>=` of the triage table: a claim of NaN went to the
    store as a minor complaint instead of to the supervisor, and a NaN compensation skipped approval."""
    with pytest.raises(InvalidData) as refused:
        world.start("cs_li", P, amount_claimed=not_a_number)
    assert refused.value.fields == {"amount_claimed": "must be a finite number"}
    assert world.outcomes("cs_li") == {} and world.visible_tasks("manager_sh001") == []
    case = world.start("cs_li", P)
    task = world.task(case.id, "investigate_store")
    costly = world.sample(task, resolution_type="compensation", compensation_amount=not_a_number)
    refused = world.refused(InvalidData, "manager_sh001", task.id, costly)
    assert refused.fields == {"compensation_amount": "must be a finite number"}
    with pytest.raises(InvalidData):
        world.run("manager_sh001", world.engine.save_draft, task.id, {"compensation_amount": not_a_number})
