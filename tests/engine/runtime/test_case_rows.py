"""The rows commands read and write with Core: version guard, and living beside the ORM session."""
import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.runtime import case_rows


def _start(engine, session, people):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    return case


def test_a_task_is_read_with_its_case_and_the_names_its_views_show(engine, session, people, deployed):
    case = _start(engine, session, people)
    engine.claim(session, case.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    task, row = case_rows.load_task(session, case.open_tasks[0].id)
    assert (task.assignee, task.lane_role, task.store_code, task.region) == ("deputy_sh001", "store_manager",
                                                                             "SH001", "EAST")
    assert (row.id, row.version, row.started_by, row.status) == (case.id, 1, "manager_sh001", "running")
    assert row.state and row.lock_version == session.get(ProcessInstance, case.id).lock_version
    assert case_rows.load_task(session, 999_999) is None and case_rows.load_case(session, 999_999) is None


def test_saving_a_case_read_before_someone_elses_write_is_refused_and_changes_nothing(
        engine, sessions, session, people, deployed):
    case = _start(engine, session, people)
    stale = case_rows.load_case(session, case.id)
    session.rollback()
    with sessions() as other:
        engine.claim(other, case.open_tasks[0].id, people["deputy_sh001"])
        other.commit()
    before = session.get(ProcessInstance, case.id)
    version, updated = before.lock_version, before.updated_at
    stale.title, stale.status = "overwritten", "terminated"
    with pytest.raises(ConcurrentUpdate):
        case_rows.save_case(session, stale, with_state=True)
    session.rollback()
    after = session.get(ProcessInstance, case.id)
    session.refresh(after)
    assert (after.title, after.status, after.lock_version, after.updated_at) != ("overwritten", "terminated",
                                                                                 version + 1, updated)
    assert (after.status, after.lock_version) == ("running", version)


def test_mapped_objects_in_the_callers_session_see_what_a_command_wrote(engine, session, people, deployed):
    """A web request often loads the task (to check it may be seen) before it calls the command."""
    case = _start(engine, session, people)
    task = session.get(HumanTask, case.open_tasks[0].id)
    instance = session.get(ProcessInstance, case.id)
    version = instance.lock_version
    assert task.assignee_id is None
    engine.claim(session, task.id, people["deputy_sh001"])
    assert task.assignee_id == people["deputy_sh001"].id
    assert instance.lock_version == version + 1
    instance.title = "renamed by the caller afterwards"
    session.commit()  # the version the ORM holds is the one just written: no stale-data error
    assert session.get(ProcessInstance, case.id).title == "renamed by the caller afterwards"


def test_changes_the_caller_has_not_flushed_are_written_before_the_command_reads(engine, session, people,
                                                                                 deployed):
    case = _start(engine, session, people)
    task = session.get(HumanTask, case.open_tasks[0].id)
    task.priority = 1
    view = engine.claim(session, task.id, people["manager_sh001"])
    assert view.priority == 1
    session.commit()
    session.expire_all()
    assert session.get(HumanTask, task.id).priority == 1


def test_a_command_writes_one_row_per_change_and_its_events_in_one_batch(engine, session, people, deployed):
    case = _start(engine, session, people)
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    view = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "ok"})
    session.commit()
    kinds = session.scalars(select(AuditEvent.event_type).where(AuditEvent.id > before)
                            .order_by(AuditEvent.id)).all()
    assert kinds[0] == "task_completed" and kinds[-1] in ("task_created", "task_assigned")
    [new] = view.open_tasks
    created = session.scalar(select(AuditEvent).where(AuditEvent.id > before,
                                                      AuditEvent.event_type == "task_created"))
    assert created.task_id == new.id
    assert session.get(HumanTask, new.id).spiff_task_id


def test_a_draft_saved_while_a_colleague_claims_the_task_survives_the_claim(engine, sessions, session, people,
                                                                             deployed):
    """The claim read the task before the draft was saved and writes after: it must not put the old
    draft back (drafts do not move the case's version, so nothing else would catch it)."""
    case = _start(engine, session, people)
    task_id = case.open_tasks[0].id
    task, row = case_rows.load_task(session, task_id)
    with sessions() as other:
        engine.save_draft(other, task_id, people["manager_sh001"], {"summary": "half written"})
        other.commit()
    task.assignee_id, task.claimed_at = people["deputy_sh001"].id, row.started_at
    row.updated_at = row.started_at
    case_rows.save_case(session, row, with_state=False)
    case_rows.save_tasks(session, [task])
    session.commit()
    stored = session.get(HumanTask, task_id)
    assert (stored.assignee_id, stored.draft) == (people["deputy_sh001"].id, {"summary": "half written"})


def test_a_draft_for_a_task_closed_in_the_meantime_is_refused(engine, sessions, session, people, deployed):
    case = _start(engine, session, people)
    task_id = case.open_tasks[0].id
    task, _ = case_rows.load_task(session, task_id)
    session.rollback()
    with sessions() as other:
        engine.complete(other, task_id, people["manager_sh001"], {"summary": "done"})
        other.commit()
    task.draft = {"summary": "too late"}
    assert case_rows.save_draft(session, task, people["manager_sh001"].id) is False
    session.commit()
    stored = session.get(HumanTask, task_id)
    assert (stored.state, stored.draft) == ("completed", None)


def test_completing_a_task_drops_its_draft(engine, session, people, deployed):
    case = _start(engine, session, people)
    task_id = case.open_tasks[0].id
    engine.save_draft(session, task_id, people["manager_sh001"], {"summary": "draft"})
    engine.complete(session, task_id, people["manager_sh001"], {"summary": "final"})
    session.commit()
    assert session.get(HumanTask, task_id).draft is None
