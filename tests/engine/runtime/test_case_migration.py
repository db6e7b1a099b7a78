"""Moving running cases to another version: the dry run, the move and its rows, the case that must not
move and the mapping that makes it movable, refused input, a concurrent writer."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.bpmn.deploy import collect_directory, deploy
from engine.bpmn.retarget import Alignment
from engine.bpmn.specs import SourceFile
from engine.errors import ConcurrentUpdate, InvalidData, PermissionDenied
from engine.models import AuditEvent, HumanTask, ProcessInstance, ProcessVersion
from engine.runtime import CONFLICT, MIGRATED, NOT_ON_VERSION, migrate_cases
from engine.runtime.case_migration import move_case

from ..conftest import MODELS

FIX = ('<bpmn:userTask id="fix_issue" name="门店整改">\n      <bpmn:extensionElements>'
       '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
       'value="fix_issue.json" />')


def _deploy(session, clock, change) -> int:
    """A new version of `escalation` whose BPMN is `change(text)`; its number."""
    files = collect_directory(MODELS)["escalation"]
    changed = [SourceFile(f.kind, f.filename, change(f.content)) if f.kind == "bpmn" else f for f in files]
    [result] = deploy(session, {"escalation": changed}, now=clock())
    session.commit()
    return result.version


def renamed_with_due_hours(text: str) -> str:
    """v2: the waiting step keeps its id, gets a new name and 12 due hours; its timer stays as it was."""
    assert FIX in text
    return text.replace(FIX, FIX.replace("门店整改", "门店整改（新）")
                        + '<spiffworkflow:property name="dueInHours" value="12" />')


def shorter_reminder(text: str) -> str:
    return renamed_with_due_hours(text).replace('"PT24H"', '"PT6H"')


def waiting_step_renamed(text: str) -> str:
    """v2: the waiting step has another id (and so does its timer's reference to it)."""
    return text.replace('"fix_issue"', '"fix_issue_v2"').replace(">fix_issue<", ">fix_issue_v2<")


def _start(engine, session, people, n=1) -> list[int]:
    m1 = people["manager_sh001"]
    ids = [engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": i}).id for i in range(n)]
    session.commit()
    return ids


def _migrate(engine, sessions, root, to=2, **kw):
    return migrate_cases(engine, sessions, root, "escalation", 1, to, **kw)


def test_a_case_moves_with_its_task_row_due_date_timer_and_audit(engine, sessions, session, people, deployed,
                                                                 root, clock, tasks_of):
    [case_id] = _start(engine, session, people)
    before = session.get(ProcessInstance, case_id)
    timer_before, lock_before = before.next_timer_at, before.lock_version
    row = tasks_of(session, case_id)["fix_issue"]
    created = row.created_at
    _deploy(session, clock, renamed_with_due_hours)
    clock.advance(hours=2)

    dry = _migrate(engine, sessions, root, dry_run=True)
    [checked] = dry.cases
    assert checked.movable and not checked.moved and ("fix_issue", "门店整改") in checked.waiting
    session.expire_all()
    assert session.get(ProcessInstance, case_id).version.version == 1  # a dry run changes nothing

    report = _migrate(engine, sessions, root, dry_run=False)
    assert [c.moved for c in report.cases] == [True] and report.moved == 1
    session.expire_all()
    case = session.get(ProcessInstance, case_id)
    assert case.version.version == 2 and case.lock_version > lock_before
    assert case.next_timer_at == timer_before  # the same timer keeps the due time it armed
    row = tasks_of(session, case_id)["fix_issue"]
    assert (row.name, row.due_at) == ("门店整改（新）", created + timedelta(hours=12))
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                       AuditEvent.event_type == MIGRATED)).all()
    assert (event.actor_id, event.data["from"], event.data["to"]) == (root.id, 1, 2)
    # the case goes on on version 2
    engine.complete(session, row.id, people["manager_sh001"], {"fix_note": "done"})
    session.commit()
    assert set(tasks_of(session, case_id)) == {"confirm_fix"}


def test_a_changed_timer_starts_again_at_the_move(engine, sessions, session, people, deployed, root, clock):
    [case_id] = _start(engine, session, people)
    _deploy(session, clock, shorter_reminder)
    clock.advance(hours=1)
    _migrate(engine, sessions, root, dry_run=False)
    session.expire_all()
    assert session.get(ProcessInstance, case_id).next_timer_at == clock() + timedelta(hours=6)


def test_a_case_whose_waiting_step_is_gone_does_not_move_without_a_mapping(engine, sessions, session, people,
                                                                          deployed, root, clock, tasks_of,
                                                                          dump):
    [case_id] = _start(engine, session, people)
    _deploy(session, clock, waiting_step_renamed)
    before = dump(session)
    report = _migrate(engine, sessions, root, dry_run=False)
    [refused] = report.cases
    assert not refused.movable and not refused.moved
    assert [(b.element, b.reason) for b in refused.blockers] == [("fix_issue", "removed")]
    session.expire_all()
    assert dump(session) == before

    mapped = _migrate(engine, sessions, root, dry_run=False, mapping={"fix_issue": "fix_issue_v2"})
    assert [c.moved for c in mapped.cases] == [True]
    session.expire_all()
    row = tasks_of(session, case_id)["fix_issue_v2"]
    assert row.form_file == "fix_issue.json" and row.state == "open"
    assert session.get(ProcessInstance, case_id).next_timer_at is not None  # its boundary timer went too
    engine.complete(session, row.id, people["manager_sh001"], {"fix_note": "done"})
    session.commit()
    assert set(tasks_of(session, case_id)) == {"confirm_fix"}


@pytest.mark.parametrize("fields, field", [
    (dict(to_version=9), "to_version"),
    (dict(to_version="2"), "to_version"),
    (dict(mapping={"fix_issue": "nowhere"}), "mapping.fix_issue"),
    (dict(mapping={"fix_issue": "end_fixed"}), "mapping.fix_issue"),  # an end event is no user task
    (dict(mapping={"nothing": "fix_issue_v2"}), "mapping.nothing"),
    (dict(instance_ids=[999999]), "instance_ids"),
])
def test_bad_input_is_refused_naming_the_field(engine, sessions, session, people, deployed, root, clock,
                                              dump, fields, field):
    _start(engine, session, people)
    _deploy(session, clock, waiting_step_renamed)
    before = dump(session)
    given = dict(fields)  # the parameters are shared by the SQLite and PostgreSQL runs
    with pytest.raises(InvalidData) as refused:
        migrate_cases(engine, sessions, root, "escalation", 1, given.pop("to_version", 2), dry_run=False,
                      **given)
    assert field in refused.value.fields
    session.expire_all()
    assert dump(session) == before


def test_only_an_administrator_migrates(engine, sessions, session, people, deployed, clock):
    _deploy(session, clock, renamed_with_due_hours)
    with pytest.raises(PermissionDenied):
        _migrate(engine, sessions, people["director"], dry_run=True)


def test_chosen_cases_only_and_a_case_on_another_version_is_reported(engine, sessions, session, people,
                                                                     deployed, root, clock):
    first, second = _start(engine, session, people, 2)
    _deploy(session, clock, renamed_with_due_hours)
    [third] = _start(engine, session, people)  # on version 2 already
    report = _migrate(engine, sessions, root, dry_run=False, instance_ids=[second, third])
    assert [(c.instance_id, c.moved, c.refused) for c in report.cases] == [
        (second, True, None), (third, False, NOT_ON_VERSION)]
    session.expire_all()
    assert session.get(ProcessInstance, first).version.version == 1


def test_every_case_is_moved_batch_after_batch(engine, sessions, session, people, deployed, root, clock):
    """Batches of one: the running cases of the version are read a page at a time, none twice."""
    ids = _start(engine, session, people, 3)
    _deploy(session, clock, renamed_with_due_hours)
    report = _migrate(engine, sessions, root, dry_run=False, batch=1)
    assert [(c.instance_id, c.moved) for c in report.cases] == [(i, True) for i in ids]


def test_a_case_changed_by_another_command_meanwhile_is_not_moved(engine, session, people, deployed, root,
                                                                  clock, race):
    [case_id] = _start(engine, session, people)
    _deploy(session, clock, renamed_with_due_hours)
    task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == case_id))
    source, target = _version(session, 1), _version(session, 2)
    alignment = Alignment(engine.process(session, source.id), engine.process(session, target.id), {})
    m1 = people["manager_sh001"].id

    def complete(s):
        from engine.models import User
        engine.complete(s, task_id, s.get(User, m1), {"fix_note": "done"})

    def migrate(s):
        move_case(engine, s, root, case_id, source, target, alignment, dry_run=False)

    error = race(complete, migrate, wait_on="case_row")
    assert isinstance(error, ConcurrentUpdate), repr(error)
    session.expire_all()
    assert session.get(ProcessInstance, case_id).version.version == 1
    assert CONFLICT == "conflict"


def _version(session, number: int) -> ProcessVersion:
    from engine.models import ProcessDefinition
    return session.scalar(select(ProcessVersion).join(ProcessDefinition).where(
        ProcessDefinition.key == "escalation", ProcessVersion.version == number))


def fix_issue_for_the_supervisor(text: str) -> str:
    """v2: the waiting step keeps its id but is the store supervisor's (moved to their lane)."""
    step = "<bpmn:flowNodeRef>fix_issue</bpmn:flowNodeRef>"
    assert step in text
    return text.replace(step, "", 1).replace("<bpmn:flowNodeRef>nudge</bpmn:flowNodeRef>",
                                             step + "<bpmn:flowNodeRef>nudge</bpmn:flowNodeRef>", 1)


def test_a_step_moved_into_another_lane_goes_to_the_holder_of_its_new_role(engine, sessions, session, people,
                                                                           deployed, root, clock, tasks_of):
    """SH002 has one manager, who holds the step on version 1; on version 2 the step is the store
    supervisor's: the manager no longer holds it, the one supervisor of SH002's region does."""
    case_id = engine.start(session, "escalation", people["manager_sh002"], {"store_code": "SH002",
                                                                           "amount": 1}).id
    session.commit()
    assert tasks_of(session, case_id)["fix_issue"].assignee_id == people["manager_sh002"].id
    _deploy(session, clock, fix_issue_for_the_supervisor)
    assert [c.moved for c in _migrate(engine, sessions, root, dry_run=False).cases] == [True]
    session.expire_all()
    row = tasks_of(session, case_id)["fix_issue"]
    assert row.lane_role == "store_supervisor"
    assert row.assignee_id == people["supervisor_east"].id


REMIND = ('<bpmn:boundaryEvent id="remind_fix" name="24小时未整改" attachedToRef="fix_issue" '
          'cancelActivity="false">\n      <bpmn:timerEventDefinition id="remind_fix_timer">'
          '<bpmn:timeDuration>"PT24H"</bpmn:timeDuration>'
          '</bpmn:timerEventDefinition>\n    </bpmn:boundaryEvent>\n'
          '    <bpmn:sequenceFlow id="flow_remind_fix_to_nudge" sourceRef="remind_fix" targetRef="nudge" />')
CHASE = ('<bpmn:boundaryEvent id="chase_fix" name="3小时催办" attachedToRef="fix_issue" '
         'cancelActivity="false">'
         '<bpmn:timerEventDefinition id="chase_fix_timer"><bpmn:timeDuration>"PT3H"</bpmn:timeDuration>'
         '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
         '<bpmn:sequenceFlow id="flow_chase_fix_to_nudge" sourceRef="chase_fix" targetRef="nudge" />')


def reminder_removed(text: str) -> str:
    """v2: the waiting step's boundary timer is gone."""
    assert REMIND in text
    return text.replace(REMIND, "").replace("<bpmn:flowNodeRef>remind_fix</bpmn:flowNodeRef>", "")


def second_timer_added(text: str) -> str:
    """v2: the waiting step gets a second boundary timer, due 3 hours after it starts."""
    assert REMIND in text
    return text.replace(REMIND, REMIND + CHASE)


def _timer_events(session, case_id) -> dict:
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                       AuditEvent.event_type == MIGRATED)).all()
    return event.data.get("timers") or {}


def test_a_removed_timer_is_disarmed(engine, sessions, session, people, deployed, root, clock, tasks_of):
    [case_id] = _start(engine, session, people)
    assert session.get(ProcessInstance, case_id).next_timer_at is not None
    _deploy(session, clock, reminder_removed)
    [moved] = _migrate(engine, sessions, root, dry_run=False).cases
    assert moved.moved, moved
    session.expire_all()
    assert session.get(ProcessInstance, case_id).next_timer_at is None
    assert _timer_events(session, case_id) == {"disarmed": ["remind_fix"]}
    clock.advance(hours=30)  # nothing fires: the step just waits
    engine.fire_timers(session, case_id, clock())
    session.commit()
    assert set(tasks_of(session, case_id)) == {"fix_issue"}


def test_a_timer_added_to_the_waiting_step_is_armed_from_the_move(engine, sessions, session, people, deployed,
                                                                   root, clock, tasks_of):
    [case_id] = _start(engine, session, people)
    timer_before = session.get(ProcessInstance, case_id).next_timer_at
    _deploy(session, clock, second_timer_added)
    clock.advance(hours=2)
    assert [c.moved for c in _migrate(engine, sessions, root, dry_run=False).cases] == [True]
    session.expire_all()
    case = session.get(ProcessInstance, case_id)
    assert case.next_timer_at == clock() + timedelta(hours=3) < timer_before
    assert _timer_events(session, case_id) == {"armed": ["chase_fix"]}
    clock.advance(hours=3)
    engine.fire_timers(session, case_id, clock())
    session.commit()
    assert set(tasks_of(session, case_id)) == {"fix_issue", "nudge"}


def test_a_changed_timer_is_on_the_timeline(engine, sessions, session, people, deployed, root, clock):
    [case_id] = _start(engine, session, people)
    _deploy(session, clock, shorter_reminder)
    _migrate(engine, sessions, root, dry_run=False)
    session.expire_all()
    assert _timer_events(session, case_id) == {"armed": ["remind_fix"]}


def test_a_first_timer_on_the_waiting_step_is_armed_and_a_last_one_disarmed(engine, sessions, session, people,
                                                                            deployed, root, clock, tasks_of):
    """v2 takes the step's only boundary timer away (its split goes), v3 gives it one again."""
    [case_id] = _start(engine, session, people)
    _deploy(session, clock, reminder_removed)
    _migrate(engine, sessions, root, dry_run=False)
    _deploy(session, clock, lambda text: reminder_removed(text).replace(
        "</bpmn:userTask>", "</bpmn:userTask>" + CHASE, 1))
    clock.advance(hours=1)
    [moved] = migrate_cases(engine, sessions, root, "escalation", 2, 3, dry_run=False).cases
    assert moved.moved, moved
    session.expire_all()
    assert session.get(ProcessInstance, case_id).next_timer_at == clock() + timedelta(hours=3)
    clock.advance(hours=3)
    engine.fire_timers(session, case_id, clock())
    session.commit()
    assert set(tasks_of(session, case_id)) == {"fix_issue", "nudge"}
    engine.complete(session, tasks_of(session, case_id)["fix_issue"].id, people["manager_sh001"],
                    {"fix_note": "done"})
    session.commit()
    assert set(tasks_of(session, case_id)) == {"nudge", "confirm_fix"}
