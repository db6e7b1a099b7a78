"""The supervisor's case list: who sees which cases, every filter, the rows, paging, on real cases of
the fixture model (start → report → approve → decide → end)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine import InvalidData, queries
from engine.models import ProcessInstance
from engine.queries.case_list import case_list_rows
from workflows.registry import SUPERVISION


def ids(page):
    return sorted(row.id for row in page.items)


def listed(session, user, clock, **filters):
    return queries.list_cases(session, user, queries.CaseFilter(**filters), clock(), rules=SUPERVISION)


def test_who_sees_which_cases(session, people, supervised_cases, clock):
    a, b, c, complaint = (supervised_cases[k].id for k in ("a", "b", "c", "complaint"))
    assert ids(listed(session, people["director"], clock)) == [a, b, c, complaint]
    assert ids(listed(session, people["supervisor_east"], clock)) == [a, b, complaint]
    assert ids(listed(session, people["cs_manager"], clock)) == [complaint]
    assert ids(listed(session, people["manager_sh001"], clock)) == [a, complaint]  # started them
    assert ids(listed(session, people["manager_sh001b"], clock)) == [a, complaint]  # may take their tasks
    assert ids(listed(session, people["cs_li"], clock)) == []


def test_every_filter(engine, session, people, supervised_cases, clock):
    director = people["director"]
    a, b, c, complaint = (supervised_cases[k].id for k in ("a", "b", "c", "complaint"))
    assert ids(listed(session, director, clock, process="complaint_handling")) == [complaint]
    assert ids(listed(session, director, clock, version=1)) == [a, b, c, complaint]
    assert ids(listed(session, director, clock, version=2)) == []
    assert ids(listed(session, director, clock, store_code="SH002")) == [b]
    assert ids(listed(session, director, clock, region="EAST")) == [a, b, complaint]
    assert ids(listed(session, director, clock, started_by="manager_sh001")) == [a, complaint]
    start = session.get(ProcessInstance, b).started_at
    assert ids(listed(session, director, clock, started_from=start)) == [b, c, complaint]
    one_hour = listed(session, director, clock, started_from=start, started_to=start + timedelta(hours=1))
    assert ids(one_hour) == [b]
    assert ids(listed(session, director, clock, search=supervised_cases["c"].business_key)) == [c]
    engine.terminate(session, c, director, "duplicate")
    session.commit()
    assert ids(listed(session, director, clock, status="terminated")) == [c]
    assert ids(listed(session, director, clock, status="running")) == [a, b, complaint]
    assert listed(session, director, clock, overdue=True).total == 0
    clock.advance(hours=21, minutes=30)  # a's report (due 24h after its start) is late, b's not yet
    assert ids(listed(session, director, clock, overdue=True)) == [a]
    assert ids(listed(session, director, clock, overdue=False)) == [b, c, complaint]
    page = listed(session, director, clock, sort="due", per_page=2)
    assert [r.id for r in page.items] == [a, b] and (page.total, page.pages) == (4, 2)
    second = listed(session, director, clock, sort="due", per_page=2, page=2)
    assert [r.id for r in second.items] == [complaint, c]
    assert [r.id for r in listed(session, director, clock, sort="oldest", per_page=1).items] == [a]
    for bad in ({"status": "nope"}, {"sort": "x"}, {"per_page": 500}, {"page": 0},
                {"started_from": start, "started_to": start}):
        with pytest.raises(InvalidData):
            listed(session, director, clock, **bad)


def test_rows_show_current_steps_holders_age_and_due_state(engine, session, people, supervised_cases, clock):
    a = supervised_cases["a"]
    engine.claim(session, a.open_tasks[0].id, people["manager_sh001"])
    session.commit()
    clock.advance(hours=20)
    rows = {r.id: r for r in listed(session, people["director"], clock).items}
    row = rows[a.id]
    assert (row.process_key, row.process_name, row.version, row.status) == (
        "lanes_gateway", "泳道与排他网关", 1, "running")
    assert (row.started_by, row.store_code, row.region) == ("manager_sh001", "SH001", "EAST")
    [step] = row.steps
    assert (step.element_id, step.name, step.role, step.assignee) == ("report", "门店填报", "store_manager",
                                                                       "manager_sh001")
    assert row.age == timedelta(hours=23) and row.due_state == "due_soon" and not row.seeded
    # SH002 has one store manager: the step went to her without a claim
    assert rows[supervised_cases["b"].id].steps[0].assignee == "manager_sh002"
    clock.advance(hours=2)
    assert case_list_rows(session, [a.id], clock())[0].due_state == "overdue"
    exported = list(queries.iter_cases(session, people["director"], queries.CaseFilter(), clock(),
                                          chunk=3, rules=SUPERVISION))
    assert [r.id for r in exported] == sorted((r.id for r in exported), reverse=True) and len(exported) == 4


def test_a_page_past_the_end_is_empty_however_far(session, people, supervised_cases, clock):
    """The offset of page 2**62 does not fit the database's 64-bit integers: it is never sent."""
    director = people["director"]
    for page in (3, 2**62, 2**63 - 1):
        f = queries.CaseFilter(page=page, per_page=2)
        far = queries.list_case_views(session, director, f, clock(), rules=SUPERVISION)
        assert (far.items, far.total) == ([], 4)


@pytest.mark.parametrize("field, moment", [
    ("started_to", datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))),
    ("started_from", datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5)))),
])
def test_a_moment_utc_cannot_hold_is_refused_naming_the_field(session, people, clock, field, moment):
    """Found by the API's contract run: started_to=0001-01-01 (midnight in China) is the year 0 in UTC."""
    with pytest.raises(InvalidData) as refused:
        listed(session, people["director"], clock, **{field: moment})
    assert refused.value.fields == {field: "out of range"}
