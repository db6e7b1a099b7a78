"""Scheduled starts: schedules derived at deploy from timer start events, fired once per period by
`run_schedules` (also with two schedulers racing, and after downtime), per store by a filter, paused
and resumed by an administrator."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bpmn.deploy import deploy_directory
from engine.errors import Conflict, DeployError, NotFound, PermissionDenied
from engine.models import AuditEvent, HumanTask, ProcessInstance, Schedule, ScheduleRun
from engine.runtime import pause_schedule, resume_schedule, run_schedules, scheduled_starts

MONTHLY = '"R/2026-01-01T02:00:00+08:00/P1M"'
#: The first period after the clock fixture's start (2026-11-02 09:00 Beijing time).
DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://t">
  <bpmn:process id="count" name="盘点" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_sm" name="store_manager">
      <bpmn:flowNodeRef>start_count</bpmn:flowNodeRef><bpmn:flowNodeRef>enter_counts</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end_done</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start_count" name="每月盘点">
      <bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:timerEventDefinition id="t"><bpmn:{timer}>{rule}</bpmn:{timer}></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    {extra}
    <bpmn:sequenceFlow id="f0" sourceRef="start_count" targetRef="prepare" />
    <bpmn:scriptTask id="prepare" name="准备"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="enter_counts" />
    <bpmn:userTask id="enter_counts" name="录入盘点" />
    <bpmn:sequenceFlow id="f2" sourceRef="enter_counts" targetRef="end_done" />
    <bpmn:endEvent id="end_done" name="完成" />
  </bpmn:process>
</bpmn:definitions>
"""


def _prop(name: str, value: str) -> str:
    return f'<spiffworkflow:property name="{name}" value="{value}" />'


def _deploy(session, clock, tmp_path: Path, *, rule: str = MONTHLY, timer: str = "timeCycle",
            props: dict[str, str] | None = None, extra: str = "", name: str = "models",
            script: str = "opened = now()"):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    text = BPMN.format(props="".join(_prop(k, v) for k, v in (props or {}).items()), timer=timer,
                       rule=rule, extra=extra, script=script)
    (folder / "count.bpmn").write_text(text, "utf-8")
    results = deploy_directory(session, folder, now=clock())
    session.commit()
    return results


def _schedule(session) -> Schedule:
    session.expire_all()
    return session.scalars(select(Schedule).where(Schedule.process_key == "count")).one()


def _cases(session) -> list[ProcessInstance]:
    session.expire_all()
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.process_key == "count")
                                .order_by(ProcessInstance.id)))


STORES_EAST = {"startFor": "stores", "storeRegion": "EAST", "startAlsoOnce": "true"}


def test_deploy_derives_the_schedule_from_the_timer_start_event(session, people, clock, tmp_path):
    _deploy(session, clock, tmp_path, props=STORES_EAST)
    schedule = _schedule(session)
    assert (schedule.kind, schedule.rule, schedule.active, schedule.paused) == (
        "cycle", "R/2026-01-01T02:00:00+08:00/P1M", True, False)
    assert schedule.next_run == DEC_1  # periods before the deploy never fire
    assert schedule.start_for == {"for": "stores", "status": "open", "region": "EAST", "plus_one": True}


@pytest.mark.parametrize("rule, timer, reason", [
    ("monthly_rule", "timeCycle", "quoted ISO text"),
    ('"R/2026-01-01T02:00:00/P1M"', "timeCycle", "no UTC offset"),
    ('"PT1H"', "timeDuration", "not a timeDuration"),
    ('"R/2026-01-01T02:00:00+08:00/PT1S"', "timeCycle", "at most once a minute"),
    ('"R/P1D"', "timeCycle", "R[n]/<start date-time>/<duration>"),
])
def test_a_rule_a_schedule_cannot_follow_is_refused_naming_the_element(session, clock, tmp_path, rule,
                                                                       timer, reason):
    with pytest.raises(DeployError) as refused:
        _deploy(session, clock, tmp_path, rule=rule, timer=timer)
    assert "count.bpmn, element start_count" in str(refused.value) and reason in str(refused.value)
    assert refused.value.element == "start_count"
    assert session.scalar(select(func.count()).select_from(Schedule)) == 0


def test_a_timer_start_beside_another_start_event_is_refused(session, clock, tmp_path):
    extra = '<bpmn:startEvent id="start_hand" /><bpmn:sequenceFlow id="fh" sourceRef="start_hand" ' \
            'targetRef="enter_counts" />'
    with pytest.raises(DeployError, match="no other start event"):
        _deploy(session, clock, tmp_path, extra=extra)


def test_a_period_starts_one_case_per_matching_store_once(engine, sessions, session, people, clock, tmp_path):
    _deploy(session, clock, tmp_path, props=STORES_EAST)
    assert run_schedules(engine, sessions, clock.advance(days=28)) == 0  # not due yet
    clock.set(DEC_1)
    assert run_schedules(engine, sessions) == 3  # SH001, SH002 (EAST; BJ001 is NORTH) and no store
    cases = _cases(session)
    assert [c.store_code for c in cases] == ["SH001", "SH002", None]  # the third's store_code is ""
    assert {(c.started_by_id, c.status) for c in cases} == {(None, "running")}
    assert {c.business_key[:4] for c in cases} == {"CASE"}
    tasks = session.scalars(select(HumanTask.store_code).where(HumanTask.element_id == "enter_counts")
                            .order_by(HumanTask.id)).all()
    assert tasks == ["SH001", "SH002", None]
    started = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "started",
                                                       AuditEvent.instance_id == cases[0].id)).one()
    assert started.actor_id is None
    assert started.data["scheduled_period"] == "2026-12-01T02:00:00+08:00"
    schedule = _schedule(session)
    assert (schedule.last_period, schedule.last_cases) == (DEC_1, 3)
    assert schedule.next_run == datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc)
    assert run_schedules(engine, sessions, clock.advance(hours=1)) == 0  # fired once, not again
    assert len(_cases(session)) == 3
    fired = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "schedule_fired")).one()
    assert fired.data == {"period": "2026-12-01T02:00:00+08:00", "cases": 3, "failed": 0, "skipped": 0}


def test_filters_by_kind_and_status(engine, sessions, session, people, clock, tmp_path):
    from engine.models import Store
    session.get(Store, "SH002").kind = "franchise"
    session.get(Store, "BJ001").status = "closed"
    _deploy(session, clock, tmp_path, props={"startFor": "stores", "storeKind": "direct"})
    run_schedules(engine, sessions, DEC_1)
    assert [c.store_code for c in _cases(session)] == ["SH001"]


def test_without_start_for_one_case_starts(engine, sessions, session, people, clock, tmp_path):
    _deploy(session, clock, tmp_path)
    assert run_schedules(engine, sessions, DEC_1) == 1
    assert [c.store_code for c in _cases(session)] == [None]


def test_a_date_fires_once_and_then_has_no_next_run(engine, sessions, session, people, clock, tmp_path):
    _deploy(session, clock, tmp_path, timer="timeDate", rule='"2026-11-03T08:00:00+08:00"')
    assert _schedule(session).next_run == datetime(2026, 11, 3, 0, 0, tzinfo=timezone.utc)
    assert run_schedules(engine, sessions, clock.advance(days=1)) == 1
    assert _schedule(session).next_run is None
    assert run_schedules(engine, sessions, clock.advance(days=40)) == 0


def test_after_downtime_the_latest_missed_period_fires_once(engine, sessions, session, people, clock,
                                                            tmp_path):
    _deploy(session, clock, tmp_path)
    now = datetime(2027, 3, 5, 0, 0, tzinfo=timezone.utc)  # Dec, Jan, Feb, Mar 1st missed
    assert run_schedules(engine, sessions, now) == 1
    assert run_schedules(engine, sessions, now) == 0
    run = session.scalars(select(ScheduleRun)).one()
    assert run.period == datetime(2027, 2, 28, 18, 0, tzinfo=timezone.utc)  # 1 March, Beijing time
    assert (run.skipped, run.skipped_from) == (3, DEC_1)
    assert _schedule(session).next_run == datetime(2027, 3, 31, 18, 0, tzinfo=timezone.utc)


def test_two_schedulers_racing_fire_a_period_once(engine, sessions, people, clock, tmp_path, monkeypatch):
    with sessions() as setup:
        _deploy(setup, clock, tmp_path, props=STORES_EAST)
        schedule_id = _schedule(setup).id
    one, two = sessions(), sessions()
    reached = threading.Event()
    claim = scheduled_starts._claim

    def claim_seen(session, *args):
        if session is two:
            reached.set()
        return claim(session, *args)
    monkeypatch.setattr(scheduled_starts, "_claim", claim_seen)
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(scheduled_starts.fire_schedule(engine, two, schedule_id, DEC_1))
            two.commit()
        except Exception as exc:  # returned to the test
            two.rollback()
            outcome.append(exc)

    try:
        assert scheduled_starts.fire_schedule(engine, one, schedule_id, DEC_1) == 3
        thread = threading.Thread(target=second)
        thread.start()
        assert reached.wait(10)  # the second has read the schedule as due, before the first commits
        one.commit()
        thread.join(30)
    finally:
        one.close()
        two.close()
    assert outcome == [0]
    with sessions() as check:
        assert len(_cases(check)) == 3
        assert check.scalar(select(func.count()).select_from(ScheduleRun)) == 1


def test_pause_and_resume(engine, sessions, session, people, root, clock, tmp_path, dump):
    _deploy(session, clock, tmp_path)
    schedule_id = _schedule(session).id
    before = dump(session)
    with pytest.raises(PermissionDenied):
        pause_schedule(engine, session, people["director"], schedule_id)
    with pytest.raises(NotFound):
        pause_schedule(engine, session, root, 999)
    session.rollback()
    assert dump(session) == before
    pause_schedule(engine, session, root, schedule_id)
    session.commit()
    before = dump(session)
    with pytest.raises(Conflict):
        pause_schedule(engine, session, root, schedule_id)
    session.rollback()
    assert dump(session) == before
    assert run_schedules(engine, sessions, DEC_1) == 0  # paused over 1 December
    clock.set(datetime(2026, 12, 5, tzinfo=timezone.utc))
    schedule = resume_schedule(engine, session, root, schedule_id)
    session.commit()
    assert (schedule.paused, schedule.next_run) == (False, datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    assert run_schedules(engine, sessions) == 0  # the paused-over period does not fire
    with pytest.raises(Conflict):
        resume_schedule(engine, session, root, schedule_id)
    session.rollback()
    events = session.scalars(select(AuditEvent.event_type).where(AuditEvent.actor_id == root.id)
                             .order_by(AuditEvent.id)).all()
    assert events == ["schedule_paused", "schedule_resumed"]


def test_redeploy_keeps_an_unchanged_schedule_and_follows_a_changed_one(engine, session, people, root,
                                                                        clock, tmp_path):
    _deploy(session, clock, tmp_path)
    pause_schedule(engine, session, root, _schedule(session).id)
    session.commit()
    _deploy(session, clock, tmp_path, props={"startFor": "stores"}, name="v2")  # same rule, new version
    schedule = _schedule(session)
    assert (schedule.paused, schedule.next_run, schedule.start_for["for"]) == (True, DEC_1, "stores")
    _deploy(session, clock, tmp_path, rule='"R/2026-01-15T02:00:00+08:00/P1M"', name="v3")
    assert _schedule(session).next_run == datetime(2026, 11, 14, 18, 0, tzinfo=timezone.utc)


def test_a_case_started_by_hand_goes_past_its_timer_start_event(engine, session, people, clock, tmp_path):
    _deploy(session, clock, tmp_path)
    case = engine.start(session, "count", people["manager_sh001"], {"store_code": "SH001"})
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["enter_counts"]
    assert session.get(ProcessInstance, case.id).next_timer_at is None


def test_a_case_that_fails_to_start_does_not_hold_up_the_others(engine, sessions, session, people, clock,
                                                                 tmp_path):
    _deploy(session, clock, tmp_path, props=STORES_EAST,
            script='opened = 1 / 0 if store_code == "SH002" else 1')
    assert run_schedules(engine, sessions, DEC_1) == 2
    assert [c.store_code for c in _cases(session)] == ["SH001", None]
    run = session.scalars(select(ScheduleRun)).one()
    assert (run.cases, run.failed) == (2, 1)
    assert run_schedules(engine, sessions, DEC_1) == 0  # the period fired: not tried again
