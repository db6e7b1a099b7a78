"""The decision a form offers as buttons, and the listed tasks that can be decided from the list."""
import json
from pathlib import Path

import pytest

from engine import queries
from engine.queries import decision_offer, list_decisions
from engine.queries.task_lists import TaskFilter

FORMS = Path(__file__).parents[3] / "workflows" / "forms"


def shipped(path: str) -> dict:
    return json.loads((FORMS / path).read_text(encoding="utf-8"))


def test_an_approval_form_offers_approve_and_a_reject_that_needs_the_comment():
    offer = decision_offer(shipped("product_return/director_approval.json"))
    assert (offer.field, offer.comment_field, offer.only) == ("approved", "director_comment", True)
    assert [(c.value, c.title, c.meaning) for c in offer.choices] == [(True, "批准", "approve"),
                                                                       (False, "驳回", "reject")]
    approve, reject = offer.choices
    assert not approve.comment_required and not approve.asks_comment
    assert reject.comment_required and reject.asks_comment  # the form's if/then
    assert offer.choice("false") is reject and offer.choice("true") is approve and offer.choice("no") is None


def test_a_comment_always_required_is_asked_for_every_choice():
    offer = decision_offer(shipped("product_return/cs_review.json"))
    assert offer.only and [c.comment_required for c in offer.choices] == [True, True]
    neutral = decision_offer(shipped("complaint_handling/sla_escalation.json"))
    assert [c.meaning for c in neutral.choices] == ["neutral"] * 3 and neutral.only


def test_a_choice_that_is_neither_yes_nor_no_among_fields_to_fill_is_no_decision():
    """Finance's payment method (bank transfer / cash / nothing to pay) beside the payment number and
    date is a field of the form, not three ways to decide: the page keeps its Complete button."""
    assert decision_offer(shipped("expense_claim/payment.json")) is None
    alone = {"type": "object", "required": ["how"], "properties": {
        "how": {"type": "string", "oneOf": [{"const": "a", "title": "A"}, {"const": "b", "title": "B"}]}}}
    assert decision_offer(alone).only  # the form is nothing but the choice: its buttons complete it


def test_a_reject_asks_for_an_optional_comment_and_other_fields_keep_it_off_the_list():
    offer = decision_offer(shipped("store_opening/staff_training.json"))  # date and count to fill in too
    assert offer.field == "training_passed" and not offer.only
    assert [(c.comment_required, c.asks_comment) for c in offer.choices] == [(False, False), (False, True)]


def test_a_choice_may_say_what_it_means_where_its_value_says_it_wrongly():
    """The stocktake's reconciliation: `recount` true (需要复盘) sends the count back, false (差异已核对)
    lets it go on; the form says so (`x-meaning`), so the go-ahead is the green one-tap button and the
    recount asks for the comment the form requires with it. An unknown meaning is ignored."""
    offer = decision_offer(shipped("monthly_stocktake/reconcile.json"))
    assert [(c.value, c.title, c.meaning, c.asks_comment) for c in offer.choices] == [
        (False, "差异已核对", "approve", False), (True, "需要复盘", "reject", True)]
    odd = {"required": ["go"], "properties": {"go": {"type": "boolean", "oneOf": [
        {"const": True, "title": "是", "x-meaning": "maybe"}, {"const": False, "title": "否"}]}}}
    assert [c.meaning for c in decision_offer(odd).choices] == ["approve", "reject"]


@pytest.mark.parametrize("path", ["complaint_handling/investigate.json",  # six ways to resolve: a field
                                  "complaint_handling/final_decision.json",  # four choices and an amount
                                  "product_return/receive_inspect.json",  # two choice fields
                                  "store_opening/remediation.json"])  # no choice at all
def test_forms_to_fill_in_offer_no_decision(path):
    assert decision_offer(shipped(path)) is None


def test_an_optional_or_read_only_choice_is_no_decision():
    choice = {"type": "string", "oneOf": [{"const": "a"}, {"const": "b"}]}
    assert decision_offer({"properties": {"pick": choice}}) is None  # not required
    read_only = {"properties": {"pick": {**choice, "readOnly": True}}, "required": ["pick"]}
    assert decision_offer(read_only) is None
    assert decision_offer(None) is None
    plain = decision_offer({"properties": {"ok": {"type": "boolean"}}, "required": ["ok"]})
    assert [c.value for c in plain.choices] == [True, False] and plain.only


def test_the_list_offers_decision_only_steps_the_person_may_take(engine, session, people, deployed, clock):
    m1, director, other = people["manager_sh001"], people["director"], people["cs_li"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 5})
    engine.complete(session, case.open_tasks[0].id, m1, {"summary": "门店填报完成"})
    second = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 6})
    session.commit()

    def listed(user):
        page = queries.list_tasks(session, user, TaskFilter(scope="todo"), clock())
        return page.items, list_decisions(engine, session, page.items, user.username)

    items, offers = listed(director)  # the only director: the step is given to him
    approve = next(t for t in items if t.element_id == "approve")
    assert list(offers) == [approve.id]  # 总监审批: approved and an optional comment
    assert offers[approve.id].comment_field == "comment"
    assert [c.asks_comment for c in offers[approve.id].choices] == [False, True]  # a no opens the comment
    assert list_decisions(engine, session, [approve], m1.username) == {}  # held by someone else

    items, offers = listed(m1)  # 门店填报 is a text to write, not a decision
    assert second.open_tasks[0].id in [t.id for t in items] and offers == {}
    assert listed(other) == ([], {})  # without the role: nothing listed, nothing to decide
