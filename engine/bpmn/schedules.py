"""Timer start events: what a model says about starting cases on a schedule, the schedules derived
from a process's latest version at deploy, and getting a started case past its timer start event.

The start event's timer says when (`timeCycle` or `timeDate`, a quoted ISO text); its properties say
for whom: none, one case; `startFor` = `stores`, one case per store matching `storeStatus` (default
`open`), `storeKind` and `storeRegion`, and with `startAlsoOnce` = `true` one more case for no store
(the warehouse's count beside the stores', its `store_code` empty). The background runner, not the
workflow, waits for the time: a case, started by the schedule or by hand, goes past its timer start
event at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import DeployError
from engine.models import ProcessDefinition, ProcessVersion, Schedule
from engine.views import ScheduleView, schedule_view

from .specs import ParsedProcess, task_property
from .timer_rules import CYCLE, DATE, TimerRule, TimerRuleError, literal_rule, parse_rule

START_FOR, STORES = "startFor", "stores"
FILTERS = {"storeStatus": "status", "storeKind": "kind", "storeRegion": "region"}
ALSO_ONCE = "startAlsoOnce"


@dataclass(frozen=True)
class TimerStart:
    element_id: str
    name: str
    rule: TimerRule
    start_for: dict[str, Any]


def _start_for(spec: Any) -> dict[str, Any]:
    target = task_property(spec, START_FOR)
    if target is None:
        return {"for": "one"}
    if target != STORES:
        raise TimerRuleError(f"{START_FOR} must be {STORES!r} (or left out for one case), not {target!r}")
    found: dict[str, Any] = {"for": STORES, "status": "open"}
    for name, key in FILTERS.items():
        value = task_property(spec, name)
        if value:
            found[key] = value.strip()
    found["plus_one"] = (task_property(spec, ALSO_ONCE) or "").lower() in ("true", "1", "yes")
    return found


def timer_starts(parsed: ParsedProcess) -> list[TimerStart]:
    """The process's timer start events; a DeployError names the element whose rule cannot be followed."""
    found = []
    for spec in parsed.spec.task_specs.values():
        definition = getattr(spec, "event_definition", None)
        if type(spec).__name__ != "StartEvent" or not isinstance(definition, TimerEventDefinition):
            continue
        try:
            if isinstance(definition, DurationTimerEventDefinition):
                raise TimerRuleError("a start event's timer is a timeCycle or a timeDate, not a timeDuration")
            kind = CYCLE if isinstance(definition, CycleTimerEventDefinition) else DATE
            assert isinstance(definition, (CycleTimerEventDefinition, TimeDateEventDefinition))
            rule = parse_rule(kind, literal_rule(definition.expression))
            found.append(TimerStart(spec.bpmn_id, spec.bpmn_name or "", rule, _start_for(spec)))
        except TimerRuleError as exc:
            raise DeployError(f"{parsed.key}.bpmn, element {spec.bpmn_id}: {exc}",
                              filename=f"{parsed.key}.bpmn", element=spec.bpmn_id, reason="timer_start",
                              params={"detail": str(exc)}) from None
    starts = [s for s in parsed.spec.task_specs.values() if type(s).__name__ == "StartEvent"]
    if found and len(starts) > 1:
        raise DeployError(f"{parsed.key}.bpmn, element {found[0].element_id}: a process with a timer start "
                          "event has no other start event (a person starts it by hand through the same one)",
                          filename=f"{parsed.key}.bpmn", element=found[0].element_id,
                          reason="timer_start_alone")
    return sorted(found, key=lambda t: t.element_id)


def derive_schedules(session: Session, version: ProcessVersion, key: str, parsed: ParsedProcess,
                     now: datetime) -> None:
    """Bring the process's schedules in line with `version`, its new latest one: a start event kept
    with the same rule keeps its next run, its pause and its history; a new or changed rule runs from
    its first period at or after `now` (periods before the deploy never fire); a start event gone
    stops being scanned."""
    existing = {s.element_id: s for s in session.scalars(select(Schedule).where(Schedule.process_key == key))}
    for start in timer_starts(parsed):
        row = existing.pop(start.element_id, None)
        if row is None:
            row = Schedule(process_key=key, element_id=start.element_id, paused=False, last_cases=0,
                           created_at=now)
            session.add(row)
        elif row.rule == start.rule.text and row.kind == start.rule.kind and row.active:
            row.name, row.start_for, row.version_id, row.updated_at = (
                start.name, start.start_for, version.id, now)
            continue
        row.name, row.kind, row.rule = start.name, start.rule.kind, start.rule.text
        row.start_for, row.version_id, row.active, row.updated_at = start.start_for, version.id, True, now
        row.next_run = start.rule.first_at_or_after(now)
    for row in existing.values():
        row.active, row.updated_at = False, now


def open_timer_starts(workflow: Any) -> None:
    """Let a new workflow go past its timer start events now: the schedule has chosen the moment (or
    a person started the case by hand). SpiffWorkflow does not lay out what follows a cycle start
    event ahead of time, so that is done here, as for any other event."""
    for task in workflow.get_tasks():
        spec = task.task_spec
        if type(spec).__name__ == "StartEvent" and isinstance(getattr(spec, "event_definition", None),
                                                                TimerEventDefinition):
            task._set_internal_data(event_fired=True)
            if isinstance(spec.event_definition, CycleTimerEventDefinition) and not task.children:
                super(CatchingEvent, spec)._predict_hook(task)
                for child in task.children:
                    child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)


def schedule_views(session: Session, rows: list[Schedule]) -> list[ScheduleView]:
    """The rows as views, each with its process's name and its rule as facts."""
    names = dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                 .where(ProcessDefinition.key.in_({r.process_key for r in rows}))).all())
    return [schedule_view(r, names.get(r.process_key, r.process_key), parse_rule(r.kind, r.rule).describe())
            for r in rows]
