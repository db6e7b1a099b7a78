"""Parallel, inclusive and exclusive gateways and a DMN business rule task, through whole cases."""
import pytest

from engine import queries
from engine.models import ProcessInstance


def test_parallel_split_and_inclusive_gateway_take_every_true_branch(engine, session, people, deployed):
    m1, sup, director, cs = (people[k] for k in ("manager_sh001", "supervisor_east", "director", "cs_li"))
    case = engine.start(session, "parallel_inclusive", m1, {"store_code": "SH001", "amount": 500})
    session.commit()
    tasks = {t.element_id: t for t in case.open_tasks}
    assert set(tasks) == {"check_stock", "check_staff"}
    assert (tasks["check_stock"].role, tasks["check_stock"].priority) == ("store_manager", 2)
    assert (tasks["check_staff"].role, tasks["check_staff"].store_code) == ("store_supervisor", "SH001")

    case = engine.complete(session, tasks["check_stock"].id, m1, {"stock_ok": True, "needs_cs": True})
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["check_staff"]  # the join waits for the other branch

    case = engine.complete(session, tasks["check_staff"].id, sup, {"staff_ok": True})
    session.commit()
    tasks = {t.element_id: t for t in case.open_tasks}
    assert set(tasks) == {"director_review", "cs_followup"}  # both conditions hold; the default is not taken

    case = engine.complete(session, tasks["cs_followup"].id, cs, {"note": "called the customer"})
    session.commit()
    assert case.status == "running" and [t.element_id for t in case.open_tasks] == ["director_review"]
    case = engine.complete(session, tasks["director_review"].id, director, {"approved": True})
    session.commit()
    assert (case.status, case.outcome, case.open_tasks) == ("completed", "checked", [])
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["note"] == "called the customer" and data["approved"] is True and data["staff_ok"] is True


def test_inclusive_gateway_takes_its_default_when_no_condition_holds(engine, session, people, deployed):
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    case = engine.start(session, "parallel_inclusive", m1, {"store_code": "SH001", "amount": 50})
    tasks = {t.element_id: t for t in case.open_tasks}
    engine.complete(session, tasks["check_staff"].id, sup, {"staff_ok": False})
    case = engine.complete(session, tasks["check_stock"].id, m1, {"stock_ok": True, "needs_cs": False})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "checked")
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["note"] == "no follow-up needed"


@pytest.mark.parametrize("amount, level, outcome", [(5000, "high", None), (500, "mid", "auto_approved"),
                                                    (50, "low", "auto_approved")])
def test_business_rule_task_decides_with_the_dmn_table(engine, session, people, deployed, amount, level,
                                                       outcome):
    m1, director = people["manager_sh001"], people["director"]
    case = engine.start(session, "discount", m1, {"store_code": "SH001", "amount": amount})
    session.commit()
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["level"] == level
    if outcome:
        assert (case.status, case.outcome, case.open_tasks) == ("completed", outcome, [])
        return
    [approve] = case.open_tasks
    assert (approve.element_id, approve.role) == ("approve_discount", "ops_director")
    assert approve.store_code == "SH001"
    detail = queries.task_detail(engine, session, director, approve.id)
    assert detail.case["level"] == "high" and detail.form["title"] == "审批折扣" and detail.may_act
    case = engine.complete(session, approve.id, director, {"approved": True, "level": "low"})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "reviewed")
    assert queries.case_data(engine, session, session.get(ProcessInstance, case.id))["level"] == "high"
