"""费用报销/借支 through the engine API as the demo users: a direct store's manager (or the trainer)
claims, the region's supervisor approves, above the `expense_approval` limits the director and
finance countersign, finance pays. `world.complete` checks at every step who sees the task (and that
everyone else is refused), renders its form against the case and refuses invalid data without
changing anything."""
import threading
from functools import partial

import pytest

from engine import runtime
from engine.errors import InvalidData, PermissionDenied
from tests.workflows.samples import START

P = "expense_claim"
BOTH = pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                               indirect=True)
LARGE = [{"category": "display", "expense_date": "2026-10-20", "amount": 12800, "note": "冬季橱窗道具"}]


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


@BOTH
def test_a_claim_is_approved_by_the_regions_supervisor_and_paid_by_finance(world):
    case = world.start("manager_sh001", P)
    assert case.business_key == "EX-20261102-00001"
    assert case.title == "SH001报销/借支 · 11月门店耗材与橱窗维修"
    approval = world.task(case.id, "supervisor_approval")
    assert world.who_sees(approval.id) == {"supervisor_east"}
    world.refused(PermissionDenied, "manager_sh001", approval.id, {"approved": True})
    step(world, case, "supervisor_approval", "supervisor_east")
    payment = world.task(case.id, "payment")
    assert world.case_data(payment.id)["claim_amount"] == 1586.5
    done = step(world, case, "payment", "finance_wu")
    assert (done.status, done.outcome) == ("completed", "paid")
    world.assert_told(case, "manager_sh001", "paid")


@BOTH
def test_a_large_claim_is_countersigned_and_either_countersigner_may_reject(world):
    paid = world.start("manager_sh002", P, store_code="SH002", claim_lines=LARGE)
    step(world, paid, "supervisor_approval", "supervisor_east")
    for person in ("director", "finance_wu"):
        [task] = [t for t in world.visible_tasks(person, P) if t.instance_id == paid.id]
        assert task.element_id == "claim_countersign"
        world.complete(person, task, check=False)
    done = step(world, paid, "payment", "finance_wu")
    assert done.outcome == "paid"
    rejected = world.start("manager_sh002", P, store_code="SH002", claim_lines=LARGE)
    step(world, rejected, "supervisor_approval", "supervisor_east")
    [task] = [t for t in world.visible_tasks("director", P) if t.instance_id == rejected.id]
    done = world.complete("director", task, {"claim_countersign_approved": False,
                                             "countersign_comment": "超出季度陈列预算"}, check=False)
    assert (done.status, done.outcome) == ("completed", "rejected")
    assert world.open_ids(rejected.id) == []


@BOTH
def test_a_claim_is_for_a_direct_store_in_the_starters_scope(world):
    with pytest.raises(PermissionDenied):  # NJ01 is a franchise store: its owner bears its costs
        world.start("franchisee_nj01", P, store_code="NJ01")
    with pytest.raises(InvalidData) as refused:  # the trainer may claim for any direct store
        world.start("trainer_sun", P, store_code="NJ01")
    assert refused.value.fields == {"store_code": "store must be direct"}
    with pytest.raises(PermissionDenied):
        world.start("manager_sh001", P, store_code="SH002")
    for nobody in ("cs_li", "merch_zhao", "finance_wu", "supervisor_east"):
        with pytest.raises(PermissionDenied):
            world.start(nobody, P)
    case = world.start("trainer_sun", P, store_code="HZ001", claim_type="advance", photos=[])
    approval = world.task(case.id, "supervisor_approval")
    assert world.who_sees(approval.id) == {"supervisor_east"}


def paid_advance(world, user="manager_sh001", store="SH001", amount=3000):
    lines = [{"category": "travel", "expense_date": "2026-11-20", "amount": amount, "note": "巡店差旅"}]
    case = world.start(user, P, store_code=store, claim_type="advance", purpose="差旅借支", claim_lines=lines,
                       photos=[])
    world.attempt("supervisor_east", world.task(case.id, "supervisor_approval").id, {"approved": True})
    done = world.attempt("finance_wu", world.task(case.id, "payment").id, {
        "payment_method": "cash", "payment_no": "PAY-ADV-1", "paid_date": "2026-11-03"})
    assert done.outcome == "paid"
    return case


@BOTH
def test_a_claim_offsets_the_claimants_paid_advance_once(world):
    advance = paid_advance(world)
    claim = world.start("manager_sh001", P, offset_advance=advance.business_key)  # a claim of 1,586.50
    step(world, claim, "supervisor_approval", "supervisor_east")
    payment = world.task(claim.id, "payment")
    data = world.case_data(payment.id)
    assert (data["claim_amount"], data["advance_amount"], data["offset_amount"]) == (1586.5, 3000, 1586.5)
    assert (data["pay_amount"], data["advance_return"]) == (0, 1413.5)
    with pytest.raises(InvalidData) as refused:  # held by the running claim
        world.start("manager_sh001", P, offset_advance=advance.business_key)
    assert refused.value.fields == {"offset_advance": "advance already offset"}
    world.attempt("finance_wu", payment.id, {"payment_method": "none", "payment_no": "OFF-1",
                                             "paid_date": "2026-11-05"})
    with pytest.raises(InvalidData):  # closed by the paid claim
        world.start("manager_sh001", P, offset_advance=advance.business_key)
    offsets = [e for e in world.events(claim.id) if e.event_type == "advance_offset"]
    assert [e.message for e in offsets] == [advance.business_key]


@BOTH
def test_a_rejected_or_withdrawn_claim_lets_the_advance_go_and_a_larger_claim_is_paid_the_difference(world):
    advance = paid_advance(world, amount=1000)
    first = world.start("manager_sh001", P, offset_advance=advance.business_key)
    world.attempt("supervisor_east", world.task(first.id, "supervisor_approval").id,
                  {"approved": False, "supervisor_comment": "票据不全"})
    withdrawn = world.start("manager_sh001", P, offset_advance=advance.business_key)
    world.run("manager_sh001", partial(runtime.withdraw, world.engine), withdrawn.id, "重复提交")
    again = world.start("manager_sh001", P, offset_advance=advance.business_key)
    world.attempt("supervisor_east", world.task(again.id, "supervisor_approval").id, {"approved": True})
    data = world.case_data(world.task(again.id, "payment").id)
    assert (data["offset_amount"], data["pay_amount"], data["advance_return"]) == (1000, 586.5, 0)


@BOTH
def test_only_the_claimants_own_paid_advance_can_be_offset(world):
    advance = paid_advance(world)
    unpaid = world.start("manager_sh001", P, claim_type="advance", photos=[])
    refusals = {
        ("manager_sh002", "SH002", advance.business_key): "not an advance of yours",
        ("manager_sh001", "SH001", unpaid.business_key): "advance not paid",
        ("manager_sh001", "SH001", "EX-20261102-09999"): "not an advance of yours",
    }
    for (user, store, key), code in refusals.items():
        with pytest.raises(InvalidData) as refused:
            world.start(user, P, store_code=store, offset_advance=key)
        assert refused.value.fields == {"offset_advance": code}, key
    expense = world.start("manager_sh001", P)
    with pytest.raises(InvalidData) as refused:
        world.start("manager_sh001", P, offset_advance=expense.business_key)
    assert refused.value.fields == {"offset_advance": "not an advance of yours"}
    with pytest.raises(InvalidData) as refused:
        world.start("manager_sh001", P, claim_type="advance", photos=[], offset_advance=advance.business_key)
    assert refused.value.fields == {"offset_advance": "only an expense claim offsets an advance"}


@pytest.mark.postgres
@pytest.mark.parametrize("world", ["postgres"], indirect=True)
def test_two_claims_started_at_once_cannot_both_offset_one_advance(world):
    advance = paid_advance(world, "trainer_sun", "SH001")
    outcome = {}

    def second() -> None:
        with world.sessions() as s:
            try:
                world.engine.start(s, P, world.user("trainer_sun", s), {
                    **START[P], "store_code": "HZ001", "offset_advance": advance.business_key})
                s.commit()
                outcome["second"] = "started"
            except InvalidData as refused:
                s.rollback()
                outcome["second"] = refused.fields["offset_advance"]

    with world.sessions() as first:
        world.engine.start(first, P, world.user("trainer_sun", first), {  # the claims of two stores
            **START[P], "store_code": "SH002", "offset_advance": advance.business_key})
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=2)  # it waits for the advance's row the first start holds
        assert racer.is_alive() and "second" not in outcome
        first.commit()
    racer.join(timeout=30)
    assert outcome == {"second": "advance already offset"}
