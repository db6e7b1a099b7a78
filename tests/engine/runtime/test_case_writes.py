"""A command's case and task rows in one round trip on PostgreSQL (three statements on SQLite): stored
as `case_rows` stores them, new ids in the rows' order, and nothing written when the case's version
has moved on."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from engine import ConcurrentUpdate
from engine.models import HumanTask, ProcessInstance
from engine.runtime import case_rows
from engine.runtime.case_writes import MOST_ROWS, write_case_and_tasks


def _checks(engine, session, people):
    """A parallel_inclusive case whose stock check is done: completing the staff check joins the
    branches and opens two tasks."""
    m1 = people["manager_sh001"]
    case = engine.start(session, "parallel_inclusive", m1, {"store_code": "SH001", "amount": 500})
    tasks = {t.element_id: t for t in case.open_tasks}
    engine.complete(session, tasks["check_stock"].id, m1, {"stock_ok": True, "needs_cs": True})
    session.commit()
    return case, tasks["check_staff"]


def test_a_step_that_closes_one_task_and_opens_two_writes_them_with_the_case(engine, session, people,
                                                                             deployed, statement_log):
    case, staff = _checks(engine, session, people)
    version = session.get(ProcessInstance, case.id).lock_version
    sent = statement_log(session)
    view = engine.complete(session, staff.id, people["supervisor_east"], {"staff_ok": True})
    sent.close()
    session.commit()

    together = session.get_bind().dialect.name == "postgresql"
    case_writes = sent.writing("process_instance")
    assert len(case_writes) == 1
    task_writes = sent.writing("human_task")
    if together:
        assert task_writes == case_writes  # the same one statement
    else:
        assert len(task_writes) >= 2 and case_writes[0] not in task_writes

    session.expire_all()
    stored = session.get(ProcessInstance, case.id)
    assert stored.lock_version == version + 1 and stored.updated_at == engine.clock()
    closed = session.get(HumanTask, staff.id)
    assert (closed.state, closed.completed_by_id, closed.draft) == (
        "completed", people["supervisor_east"].id, None)
    assert closed.completed_at == engine.clock()
    opened = {t.element_id: t for t in view.open_tasks}
    assert set(opened) == {"director_review", "cs_followup"}
    for element, task in opened.items():
        row = session.get(HumanTask, task.id)
        assert (row.element_id, row.instance_id, row.state, row.created_at) == (
            element, case.id, "open", engine.clock())
    assert session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.state == "open")) == 2


def test_new_rows_get_their_ids_in_order_and_every_column_as_written(engine, session, people, deployed):
    case, staff = _checks(engine, session, people)
    task, row = case_rows.load_task(session, staff.id)
    due = engine.clock() + timedelta(hours=5)
    new = [dataclasses.replace(task, id=None, spiff_task_id=f"00000000-0000-0000-0000-00000000000{n}",
                               element_id=f"extra_{n}", name=f"额外 {n}", due_at=due, priority=n,
                               after_approvers=["director", f"cs_{n}"], draft={"note": f"第{n}稿"},
                               kind="approval", position=str(n), waiting_on=None)
           for n in range(1, 4)]
    task.state, task.completed_at, task.completed_by_id = "completed", engine.clock(), people["director"].id
    task.draft = {"dropped": True}
    row.title, row.updated_at = "改名", engine.clock()
    write_case_and_tasks(session, row, [task], new, with_state=False)
    session.commit()

    ids = [t.id for t in new]
    assert all(ids) and ids == sorted(ids)
    session.expire_all()
    for n, (record, new_id) in enumerate(zip(new, ids), start=1):
        stored = session.get(HumanTask, new_id)
        assert (stored.element_id, stored.name, stored.priority, stored.kind, stored.position) == (
            f"extra_{n}", f"额外 {n}", n, "approval", str(n))
        assert (stored.after_approvers, stored.draft, stored.due_at) == (
            ["director", f"cs_{n}"], {"note": f"第{n}稿"}, due)
    closed = session.get(HumanTask, staff.id)
    assert (closed.state, closed.draft, closed.completed_by_id) == ("completed", None, people["director"].id)
    # the dropped draft is JSON null, as SQLAlchemy writes None to a JSON column, on either database
    assert session.scalar(text("SELECT draft IS NULL FROM human_task WHERE id = :id"), {"id": staff.id}) in (
        False, 0)
    assert session.get(ProcessInstance, case.id).title == "改名"


def test_a_write_over_a_case_someone_else_moved_on_changes_nothing(engine, sessions, session, people,
                                                                  deployed):
    case, staff = _checks(engine, session, people)
    task, row = case_rows.load_task(session, staff.id)
    session.rollback()
    with sessions() as other:  # another command on the case, first
        theirs = case_rows.load_case(other, case.id)
        case_rows.save_case(other, theirs, with_state=False)
        other.commit()
    tasks_before = session.scalar(select(func.count()).select_from(HumanTask))
    task.state, task.completed_at = "completed", engine.clock()
    new = dataclasses.replace(task, id=None, state="open", completed_at=None, element_id="never")
    row.title = "never written"
    with pytest.raises(ConcurrentUpdate, match=f"case {case.id} was changed by someone else"):
        write_case_and_tasks(session, row, [task], [new], with_state=True)
    # nothing of it in the transaction, before it is even rolled back
    assert session.scalar(select(func.count()).select_from(HumanTask)) == tasks_before
    assert session.scalar(select(HumanTask.state).where(HumanTask.id == staff.id)) == "open"
    title = session.scalar(select(ProcessInstance.title).where(ProcessInstance.id == case.id))
    assert title != "never written"
    assert new.id is None
    session.rollback()


def test_more_rows_than_one_statement_carries_take_the_statements_apiece(engine, session, people, deployed,
                                                                         statement_log):
    case, staff = _checks(engine, session, people)
    task, row = case_rows.load_task(session, staff.id)
    new = [dataclasses.replace(task, id=None, spiff_task_id=f"00000000-0000-0000-0000-{n:012d}",
                               element_id=f"approver_{n}") for n in range(MOST_ROWS)]
    sent = statement_log(session)
    write_case_and_tasks(session, row, [task], new, with_state=False)
    sent.close()
    session.commit()
    assert len(sent.writing("process_instance")) == 1
    assert sent.writing("process_instance")[0] not in sent.writing("human_task")
    ids = [t.id for t in new]
    assert all(ids) and ids == sorted(ids)
    query = select(HumanTask.id, HumanTask.element_id).where(HumanTask.id.in_(ids))
    stored = {task_id: element for task_id, element in session.execute(query)}
    assert [stored[i] for i in ids] == [f"approver_{n}" for n in range(MOST_ROWS)]
