"""Boundary and intermediate timers, fired by `fire_due_timers` as the scheduler would."""
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import LOCALTZ
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from sqlalchemy import func, select

from engine import queries
from engine.clock import next_timer
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.runtime.timers import fire_due_timers


def _instance(session, case_id):
    session.expire_all()
    return session.get(ProcessInstance, case_id)


def test_non_interrupting_then_interrupting_boundary_timer(engine, sessions, session, people, deployed, clock,
                                                           tasks_of):
    m1, sup, director = people["manager_sh001"], people["supervisor_east"], people["director"]
    started = clock()
    case = engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 10})
    session.commit()
    assert _instance(session, case.id).next_timer_at == started + timedelta(hours=24)

    assert fire_due_timers(engine, sessions, clock.advance(hours=23)) == 0
    assert set(tasks_of(session, case.id)) == {"fix_issue"}

    assert fire_due_timers(engine, sessions, clock.advance(hours=1)) == 1  # due now: fires now
    tasks = tasks_of(session, case.id)
    assert set(tasks) == {"fix_issue", "nudge"}  # non-interrupting: the task stays open
    assert (tasks["nudge"].lane_role, tasks["nudge"].region) == ("store_supervisor", "EAST")
    assert _instance(session, case.id).next_timer_at is None
    assert fire_due_timers(engine, sessions, clock.advance(hours=1)) == 0  # fired once, not again

    engine.complete(session, tasks["fix_issue"].id, m1, {"fix_note": "shelves fixed"})
    session.commit()
    confirm = tasks_of(session, case.id)["confirm_fix"]
    assert _instance(session, case.id).next_timer_at == clock() + timedelta(hours=48)

    assert fire_due_timers(engine, sessions, clock.advance(hours=48, seconds=1)) == 1
    tasks = tasks_of(session, case.id)
    assert set(tasks) == {"nudge", "escalate"}
    assert tasks["escalate"].lane_role == "ops_director"
    session.refresh(confirm)
    assert (confirm.state, confirm.completed_at) == ("cancelled", clock())  # interrupted
    events = session.scalars(select(AuditEvent.event_type).where(
        AuditEvent.instance_id == case.id, AuditEvent.element_id == "confirm_fix"
    ).order_by(AuditEvent.id)).all()
    assert events == ["task_created", "task_assigned", "task_cancelled"]  # SH001's one manager had it

    engine.complete(session, tasks["nudge"].id, sup, {"nudge_note": "called"})
    case = engine.complete(session, tasks["escalate"].id, director, {"decision": "warn"})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "escalated")
    assert _instance(session, case.id).next_timer_at is None


def test_interrupting_timer_does_not_fire_once_the_task_is_done(engine, sessions, session, people, deployed,
                                                               clock, tasks_of):
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    case = engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 10})
    engine.complete(session, case.open_tasks[0].id, m1, {"fix_note": "done"})
    session.commit()
    confirm = tasks_of(session, case.id)["confirm_fix"]
    clock.advance(hours=47)
    case = engine.complete(session, confirm.id, sup, {"confirmed": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "fixed")
    assert _instance(session, case.id).next_timer_at is None
    assert fire_due_timers(engine, sessions, clock.advance(hours=2)) == 0


def test_intermediate_timer_on_a_date_from_the_case_data(engine, sessions, session, people, deployed, clock,
                                                        tasks_of):
    m1 = people["manager_sh001"]
    case = engine.start(session, "follow_up", m1, {"store_code": "SH001", "visit_date": "2026-11-10",
                                                   "planned_days": 4})
    session.commit()
    assert case.open_tasks == []
    due = datetime(2026, 11, 17, tzinfo=timezone(timedelta(hours=8)))  # add_days(visit_date, 7), Shanghai
    assert _instance(session, case.id).next_timer_at == due

    assert fire_due_timers(engine, sessions, due - timedelta(minutes=1)) == 0
    clock.set(due)
    assert fire_due_timers(engine, sessions, clock()) == 1
    [review] = tasks_of(session, case.id).values()
    assert review.element_id == "review_visit" and review.created_at == due
    instance = _instance(session, case.id)
    assert instance.next_timer_at is None and instance.status == "running"
    case = engine.complete(session, review.id, m1, {"rating": 4})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "reviewed")


def test_script_error_while_firing_marks_that_case_failed_and_others_still_fire(
        engine, sessions, session, people, deployed, clock, tasks_of):
    m1 = people["manager_sh001"]
    ids = [engine.start(session, "follow_up", m1, {"store_code": "SH001", "visit_date": "2026-11-10",
                                                   "planned_days": days}).id for days in (2, 0, 5)]
    session.commit()
    assert fire_due_timers(engine, sessions, datetime(2026, 11, 20, tzinfo=timezone.utc)) == 2
    good, bad, other = (_instance(session, i) for i in ids)
    assert (bad.status, bad.next_timer_at) == ("error", None)
    assert "rate_visit" in bad.last_error and "ZeroDivisionError" in bad.last_error
    assert tasks_of(session, bad.id) == {}
    [error] = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == bad.id,
                                                       AuditEvent.event_type == "incident_opened")).all()
    assert error.element_id == "rate_visit"
    for instance in (good, other):
        assert instance.status == "running" and set(tasks_of(session, instance.id)) == {"review_visit"}


def test_two_schedulers_fire_each_due_timer_once(engine, session, people, deployed, clock, race_schedulers):
    m1 = people["manager_sh001"]
    ids = [engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": n}).id for n in range(6)]
    session.commit()
    fired = race_schedulers(clock.advance(hours=25))
    assert sum(fired) == len(ids)
    session.expire_all()
    steps = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "step", AuditEvent.element_id == "remind_fix"))
    nudges = session.scalar(select(func.count()).select_from(HumanTask)
                            .where(HumanTask.element_id == "nudge"))
    assert steps == nudges == len(ids)
    assert all(_instance(session, i).next_timer_at is None for i in ids)


def test_the_outcome_is_told_when_the_main_path_ends_though_a_reminder_is_still_open(
        engine, sessions, session, people, deployed, clock, tasks_of):
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    ids = [engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": n}).id for n in (1, 2)]
    session.commit()
    fire_due_timers(engine, sessions, clock.advance(hours=24))
    for case_id in ids:
        engine.complete(session, tasks_of(session, case_id)["fix_issue"].id, m1, {"fix_note": "done"})
        confirm = tasks_of(session, case_id)["confirm_fix"]
        case = engine.complete(session, confirm.id, sup, {"confirmed": True})
        assert (case.status, case.outcome) == ("running", "fixed")  # end_fixed passed; the reminder is open
    session.commit()
    heard = {c.id: c.outcome for c in queries.recent_outcomes(session, m1)}
    assert heard == {ids[0]: "fixed", ids[1]: "fixed"}

    case = engine.complete(session, tasks_of(session, ids[0])["nudge"].id, sup, {})
    assert (case.status, case.outcome) == ("completed", "fixed")  # end_nudged came last but says nothing
    case = engine.terminate(session, ids[1], sup, "reminder no longer needed")
    assert (case.status, case.outcome) == ("terminated", "fixed")  # what the requester was told stands
    session.commit()
    told = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "outcome")
                           .order_by(AuditEvent.id)).all()
    assert [(e.instance_id, e.element_id, e.data) for e in told] == [
        (i, "end_fixed", {"outcome": "fixed", "notify": m1.id}) for i in ids]


def test_next_timer_reads_due_times_as_spiffworkflow_does():
    class Waiting:
        def __init__(self, *events):
            self.events = [PendingBpmnEvent(f"e{i}", kind, value) for i, (kind, value) in enumerate(events)]

        def waiting_events(self):
            return self.events

    local = datetime(2026, 11, 20, 9, 0, tzinfo=LOCALTZ)  # no offset: SpiffWorkflow's local zone, not UTC
    assert next_timer(Waiting(("TimeDateEventDefinition", "2026-11-20T09:00:00"),
                               ("DurationTimerEventDefinition", "2026-11-21T00:00:00+00:00"))) == local
    assert next_timer(Waiting(("TimeDateEventDefinition", "2026-11-20T09:00:00+08:00"))) == datetime(
        2026, 11, 20, 1, 0, tzinfo=timezone.utc)
    assert next_timer(Waiting(("CycleTimerEventDefinition", "2026-11-22T00:00:00+00:00"),
                               ("CycleTimerEventDefinition", {"cycles": 0, "next": "2026-11-01T00:00:00Z"}),
                               ("MessageEventDefinition", {"order": "1"}))) == datetime(
        2026, 11, 22, tzinfo=timezone.utc)
    assert next_timer(Waiting()) is None
