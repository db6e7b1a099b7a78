"""The API's rule on the complete command: a task the caller may not see is as unknown as a missing one
(404), checked on the row the command reads; one they see but may not do is still refused (403)."""

import pytest

from engine import NotFound, PermissionDenied
from engine.access import sees_task, visible_task
from engine.models import HumanTask


@pytest.fixture
def first_task(engine, session, people, deployed):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    return case.open_tasks[0].id


def test_an_unseen_task_is_unknown_and_nothing_changes(engine, session, people, first_task, dump):
    before = dump(session)
    with pytest.raises(NotFound, match=f"task {first_task} does not exist"):
        engine.complete(session, first_task, people["manager_sh002"], {"summary": "s"},
                        unseen_as_unknown=True)
    session.rollback()
    assert dump(session) == before
    with pytest.raises(NotFound):
        engine.complete(session, 999_999, people["manager_sh001"], {}, unseen_as_unknown=True)
    session.rollback()
    with pytest.raises(PermissionDenied):  # without the rule: the engine's own refusal
        engine.complete(session, first_task, people["manager_sh002"], {"summary": "s"})
    session.rollback()
    assert dump(session) == before


def test_a_seen_task_not_mine_is_still_refused_and_mine_completes(engine, session, people, first_task,
                                                                  supervision):
    with pytest.raises(PermissionDenied):  # the region's supervisor sees the case, the step is the store's
        engine.complete(session, first_task, people["supervisor_east"], {"summary": "s"},
                        unseen_as_unknown=True)
    session.rollback()
    view = engine.complete(session, first_task, people["manager_sh001"], {"summary": "s"},
                           unseen_as_unknown=True)
    session.commit()
    assert view.id


def test_seeing_a_row_is_seeing_the_orm_task(session, people, first_task, supervision):
    task = session.get(HumanTask, first_task)
    for name in ("manager_sh001", "manager_sh002", "supervisor_east", "supervisor_north", "director",
                 "cs_li"):
        seen = sees_task(session, people[name], task, rules=supervision)
        try:
            visible_task(session, people[name], first_task, rules=supervision)
            assert seen, name
        except NotFound:
            assert not seen, name
