"""Retiring a process: no new cases by hand or by schedule, running cases go on; re-enabling it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.bpmn import ProcessRetired, enable_process, is_retired, retire_process
from engine.bpmn.deploy import deploy_directory
from engine.errors import Conflict, PermissionDenied
from engine.models import AuditEvent, HumanTask, ProcessInstance, Schedule
from engine.queries import startable_process, startable_processes
from engine.runtime import run_schedules


def test_a_retired_process_starts_nothing_but_its_cases_go_on(engine, session, people, deployed, root, clock):
    m1 = people["manager_sh001"]
    running = engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 1})
    retire_process(session, root, "escalation", clock())
    session.commit()
    assert is_retired(session, "escalation")
    with pytest.raises(ProcessRetired, match="process escalation is retired"):
        engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 2})
    assert "escalation" not in [p.key for p in startable_processes(engine, session, m1)]
    with pytest.raises(ProcessRetired):
        startable_process(engine, session, m1, "escalation")
    task = session.scalar(select(HumanTask).where(HumanTask.instance_id == running.id))
    engine.complete(session, task.id, m1, {"fix_note": "done"})  # the running case goes on
    session.commit()

    enable_process(session, root, "escalation", clock())
    session.commit()
    assert engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 3}).id
    kinds = session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id.is_(None),
                                                                AuditEvent.message == "escalation")
                            .order_by(AuditEvent.id)).all()
    assert kinds == ["process_retired", "process_enabled"]


def test_only_administrators_retire_and_twice_is_a_conflict(session, people, deployed, root, clock):
    with pytest.raises(PermissionDenied):
        retire_process(session, people["director"], "escalation", clock())
    with pytest.raises(Conflict):
        enable_process(session, root, "escalation", clock())
    retire_process(session, root, "escalation", clock())
    with pytest.raises(Conflict):
        retire_process(session, root, "escalation", clock())


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://t">
  <bpmn:process id="count" name="盘点" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_sm" name="store_manager">
      <bpmn:flowNodeRef>start_count</bpmn:flowNodeRef><bpmn:flowNodeRef>enter_counts</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end_done</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start_count" name="每月盘点">
      <bpmn:timerEventDefinition id="t"><bpmn:timeCycle>"R/2026-01-01T02:00:00+08:00/P1M"</bpmn:timeCycle>
      </bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start_count" targetRef="enter_counts" />
    <bpmn:userTask id="enter_counts" name="录入盘点" />
    <bpmn:sequenceFlow id="f2" sourceRef="enter_counts" targetRef="end_done" />
    <bpmn:endEvent id="end_done" name="完成" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_schedule_of_a_retired_process_lets_its_period_pass(engine, sessions, session, people, root, clock,
                                                              tmp_path):
    (tmp_path / "count.bpmn").write_text(BPMN, "utf-8")
    deploy_directory(session, tmp_path, now=clock())
    retire_process(session, root, "count", clock())
    session.commit()
    december = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)
    assert run_schedules(engine, sessions, december) == 0
    session.expire_all()
    assert session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == "count")) is None
    schedule = session.scalars(select(Schedule)).one()
    assert schedule.next_run > december  # moved on: the period passed without a case
    fired = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "schedule_fired")).one()
    assert fired.data["retired"] is True

    enable_process(session, root, "count", clock())
    session.commit()
    assert run_schedules(engine, sessions, schedule.next_run) == 1
