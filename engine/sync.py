"""Keeping the `human_task` rows in step with the workflow's READY user tasks.

After every command the rows must say exactly which user tasks the case waits on, so task lists
never need the serialized workflow.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .assignment import region_of
from .models import HumanTask, ProcessInstance
from .policy import ProcessPolicy
from .specs import ParsedProcess, form_filename, task_property


def sync_tasks(session: Session, instance: ProcessInstance, parsed: ParsedProcess, workflow: BpmnWorkflow,
               now: datetime, policy: ProcessPolicy, record: Callable[..., None]) -> list[HumanTask]:
    """Cancel the rows of tasks that are gone, add rows for new ones; return the open rows.

    Runs without autoflush: rows this command already closed still read as open in the database,
    so the in-memory state decides."""
    ready = {} if instance.status == "terminated" or workflow.is_completed() else {
        str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    rows = [r for r in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                               HumanTask.state == "open"))
            if r.state == "open"]
    known, still_open = set(), []
    for row in rows:
        known.add(row.spiff_task_id)
        if row.spiff_task_id not in ready:
            row.state, row.completed_at = "cancelled", now
            record(session, instance, "task_cancelled", None, task=row, message=row.name)
        else:
            still_open.append(row)
    for spiff_id, task in ready.items():
        if spiff_id in known:
            continue
        spec = task.task_spec
        element = spec.bpmn_id
        store_code = task.data.get("store_code") if isinstance(task.data.get("store_code"), str) else None
        region = (instance.region if store_code and store_code == instance.store_code
                  else region_of(session, store_code)) or _str(task.data.get("region")) or instance.region
        priority = policy.task_priority.get(element) or _int(task_property(spec, "priority")) or 3
        row = HumanTask(
            instance_id=instance.id, spiff_task_id=spiff_id, process_key=instance.process_key,
            element_id=element, name=spec.bpmn_name or element, lane_role=spec.lane,
            store_code=store_code, region=region, form_file=form_filename(spec), state="open",
            priority=priority, created_at=now,
            due_at=policy.due_at(element, now, task_property(spec, "dueInHours")))
        session.add(row)
        still_open.append(row)
        record(session, instance, "task_created", None, task=row, message=row.name,
               data={"role": row.lane_role, "store_code": store_code})
    return still_open


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
