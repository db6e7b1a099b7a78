"""Task lists (scopes, filters, paging, counts) and the case data shown to people."""
import pytest
from sqlalchemy import event

from engine import InvalidData, queries
from engine.models import ProcessInstance
from engine.queries.task_lists import TaskFilter


@pytest.fixture
def cases(engine, session, people, deployed):
    """Three lanes_gateway cases of SH001, one of SH002 and a parallel_inclusive case of SH001."""
    m1, m2 = people["manager_sh001"], people["manager_sh002"]
    started = [engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": n})
               for n in (1, 2, 3)]
    started.append(engine.start(session, "lanes_gateway", m2, {"store_code": "SH002", "amount": 4}))
    started.append(engine.start(session, "parallel_inclusive", m1, {"store_code": "SH001", "amount": 5}))
    session.commit()
    return started


def _ids(page):
    return [t.id for t in page.items]


def test_scopes_filters_paging_and_counts(engine, session, people, cases, clock):
    m1, deputy, m2 = people["manager_sh001"], people["deputy_sh001"], people["manager_sh002"]
    reports = [c.open_tasks[0].id for c in cases[:3]]
    stock = next(t.id for t in cases[4].open_tasks if t.element_id == "check_stock")

    def tasks(user, **kw):
        return queries.list_tasks(session, user, TaskFilter(**kw), clock())

    assert _ids(tasks(m1)) == [stock] + reports  # due soonest first: check_stock is due in 8 hours
    assert queries.task_counts(session, m1) == {"mine": 0, "claimable": 4, "todo": 4}
    engine.claim(session, reports[1], m1)
    session.commit()
    assert _ids(tasks(m1, scope="mine")) == [reports[1]]
    assert _ids(tasks(m1, scope="claimable")) == [stock, reports[0], reports[2]]
    assert tasks(m1, scope="all").total == 4
    assert _ids(tasks(m1, scope="todo")) == _ids(tasks(m1))  # 待办 is the default: mine and claimable
    assert [t.claimable for t in tasks(m1).items] == [t.id != reports[1] for t in tasks(m1).items]
    assert queries.task_counts(session, m1) == {"mine": 1, "claimable": 3, "todo": 4}
    assert queries.task_counts(session, deputy) == {"mine": 0, "claimable": 3, "todo": 3}  # not m1's
    assert _ids(tasks(m2)) == [cases[3].open_tasks[0].id]

    assert _ids(tasks(m1, process="parallel_inclusive")) == [stock]
    assert _ids(tasks(m1, store_code="SH002")) == []
    assert tasks(m1, overdue=True).total == 0
    clock.advance(hours=9)
    assert _ids(tasks(m1, overdue=True)) == [stock]
    assert _ids(tasks(m1, overdue=False)) == reports
    assert _ids(tasks(m1, search=cases[2].business_key)) == [reports[2]]
    assert tasks(m1, search="并行").total == 1  # the title of the parallel_inclusive case
    assert _ids(tasks(m1, sort="priority")) == [stock] + reports  # priority 2 before the default 3

    first, second = tasks(m1, per_page=3), tasks(m1, per_page=3, page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (4, 2, 3, 1)
    assert set(_ids(first) + _ids(second)) == set(reports + [stock])
    for bad in ({"scope": "everything"}, {"per_page": 0}, {"page": 0}, {"sort": "name"}):
        with pytest.raises(InvalidData):
            tasks(m1, **bad)


def test_case_data_of_an_open_case_merges_its_running_branches(engine, session, people, cases):
    m1 = people["manager_sh001"]
    tasks = {t.element_id: t for t in cases[4].open_tasks}
    engine.complete(session, tasks["check_stock"].id, m1, {"stock_ok": True, "needs_cs": False})
    session.commit()
    instance = session.get(ProcessInstance, cases[4].id)
    assert queries.case_data(engine, session, instance) == {
        "store_code": "SH001", "amount": 5, "stock_ok": True, "needs_cs": False}
    detail = queries.case_detail(engine, session, people["supervisor_east"], instance.id)
    assert detail.data["stock_ok"] is True and detail.may_supervise
    own = queries.task_detail(engine, session, people["supervisor_east"], tasks["check_staff"].id)
    assert own.case == {"store_code": "SH001", "amount": 5}  # the open task's own data, for its form


def test_case_data_of_a_running_multi_instance_is_not_one_stores(engine, session, people, deployed):
    m1 = people["manager_sh001"]
    case = engine.start(session, "store_survey", people["director"],
                        {"topic": "t", "store_codes": ["SH001", "SH002"]})
    engine.complete(session, case.open_tasks[0].id, m1, {"answer": "fine"})
    session.commit()
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["store_codes"] == ["SH001", "SH002"] and data["topic"] == "t"
    assert "store_code" not in data and "answer" not in data


def test_case_data_of_a_terminated_case_keeps_what_it_had(engine, session, people, cases):
    m1 = people["manager_sh001"]
    engine.complete(session, cases[0].open_tasks[0].id, m1, {"summary": "window broken"})
    engine.terminate(session, cases[0].id, people["director"], "duplicate")
    session.commit()
    data = queries.case_data(engine, session, session.get(ProcessInstance, cases[0].id))
    assert data == {"store_code": "SH001", "amount": 1, "summary": "window broken"}


def test_a_task_page_past_the_end_is_empty_however_far(session, people, cases, clock):
    """The offset of page 2**62 does not fit the database's 64-bit integers: it is never sent."""
    for page in (2, 2**62, 2**63 - 1):
        f = TaskFilter(page=page, per_page=20)
        far = queries.list_tasks(session, people["manager_sh001"], f, clock())
        assert (far.items, far.total) == ([], 4)


def test_a_list_that_fits_on_its_first_page_is_its_own_count(session, people, cases, clock):
    """Most people's 待办 fits on one page: it is listed without a count query. A full first page
    still asks one, since more may follow."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        sent.append(statement)
    event.listen(session.get_bind(), "before_cursor_execute", seen)
    try:
        counts = []
        for per_page in (20, 5, 4, 3):
            sent.clear()
            f = TaskFilter(per_page=per_page)
            page = queries.list_tasks(session, people["manager_sh001"], f, clock())
            counts.append((per_page, page.total, len(page.items), sum("count(" in s for s in sent)))
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", seen)
    assert counts == [(20, 4, 4, 0), (5, 4, 4, 0), (4, 4, 4, 1), (3, 4, 3, 1)]
