"""What the case page offers (case_moves) and the cc list's paging and unread filter."""
import pytest

from engine import InvalidData, queries
from engine.models import ProcessInstance
from engine.runtime import cc_case, mark_cc_read


def _start(engine, session, people, starter="manager_sh001", store="SH001"):
    case = engine.start(session, "lanes_gateway", people[starter], {"store_code": store, "amount": 1})
    session.commit()
    return case


def test_case_moves_per_person(engine, session, people, deployed):
    case = _start(engine, session, people)
    instance = session.get(ProcessInstance, case.id)
    task = case.open_tasks[0].id
    starter = queries.case_moves(engine, session, people["manager_sh001"], instance)
    assert (starter.withdraw, starter.cc, starter.urge) == (True, True, frozenset({task}))
    supervisor = queries.case_moves(engine, session, people["supervisor_east"], instance)
    assert (supervisor.withdraw, supervisor.cc, supervisor.urge) == (False, True, frozenset({task}))
    pool = queries.case_moves(engine, session, people["deputy_sh001"], instance)  # may take it, took no part
    assert (pool.withdraw, pool.cc, pool.urge) == (False, False, frozenset())
    engine.claim(session, task, people["manager_sh001"])
    session.commit()
    mine = queries.case_moves(engine, session, people["manager_sh001"], instance)
    assert mine.urge == frozenset()  # nobody urges themselves
    engine.suspend(session, case.id, people["supervisor_east"], "hold")
    session.commit()
    held = queries.case_moves(engine, session, people["manager_sh001"], session.get(ProcessInstance, case.id))
    assert (held.withdraw, held.urge) == (True, frozenset())


def test_cc_list_pages_and_unread(engine, session, people, deployed, clock):
    made = [_start(engine, session, people) for _ in range(3)]
    for case in made:
        clock.advance(minutes=1)
        cc_case(engine, session, case.id, people["manager_sh001"], ["cs_li"], f"case {case.id}")
    session.commit()
    cs = people["cs_li"]
    first = queries.cc_list(session, cs, per_page=2)
    assert (first.total, [e.case.id for e in first.items]) == (3, [made[2].id, made[1].id])
    assert [e.case.id for e in queries.cc_list(session, cs, page=2, per_page=2).items] == [made[0].id]
    assert queries.cc_list(session, cs, page=5, per_page=2).items == []
    mark_cc_read(session, cs, made[1].id, clock())
    unread = queries.cc_list(session, cs, unread_only=True)
    assert (unread.total, {e.case.id for e in unread.items}) == (2, {made[0].id, made[2].id})
    assert queries.cc_unread(session, cs) == 2
    assert queries.cc_list(session, people["director"]).total == 0
    for bad in ({"page": 0}, {"per_page": 0}, {"per_page": 101}):
        with pytest.raises(InvalidData):
            queries.cc_list(session, cs, **bad)
    assert ("manager_sh001", "manager_sh001") not in queries.colleagues(session, people["manager_sh001"])
