"""Keeping the `human_task` rows in step with the workflow's READY user tasks.

After every command the rows must say exactly which user tasks the case waits on, so task lists
never need the serialized workflow; new rows go to their person where one is clear (`assignment`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.access.grants import region_of
from engine.bpmn.service_tasks import is_service_task
from engine.bpmn.specs import form_filename, task_property
from engine.models import ENDED
from engine.policy import ProcessPolicy

from . import approvers, case_rows
from .assignment import assign_new_tasks
from .audit import reached_from
from .case_rows import CaseRow, TaskRow
from .connector_rows import note_service_tasks


@dataclass
class TaskChanges:
    """What a command did to the case's task rows: the rows to update, to insert, and the open ones."""

    changed: list[TaskRow] = field(default_factory=list)
    created: list[TaskRow] = field(default_factory=list)
    still_open: list[TaskRow] = field(default_factory=list)


def sync_tasks(session: Session, case: CaseRow, workflow: BpmnWorkflow, now: datetime, policy: ProcessPolicy,
               record: Callable[..., None], held: Iterable[TaskRow] = (),
               stored_open: list[TaskRow] | None = None) -> TaskChanges:
    """Cancel the rows of tasks that are gone, make rows for new ones.

    `held` are rows the command has already changed in memory (the task it completed): they stand
    in for their stored versions, which still read as open. `stored_open` are the case's open rows
    when the command has read them already; otherwise they are read here."""
    ready = {} if case.status in ENDED else {
        str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    services = [t for t in ready.values() if is_service_task(t.task_spec)]
    if services:  # they wait for the background runner, not for a person
        note_service_tasks(session, case.id, services, now)
        ready = {k: t for k, t in ready.items() if not is_service_task(t.task_spec)}
    held_by_id = {t.id: t for t in held}
    changes = TaskChanges(changed=list(held_by_id.values()))
    known = set()
    approvals = []
    for row in case_rows.open_tasks(session, case.id) if stored_open is None else stored_open:
        row = held_by_id.get(row.id, row)
        known.add(row.spiff_task_id)
        if row.state != "open":
            continue
        if row.kind != "step":
            approvals.append(row)
        elif row.spiff_task_id not in ready:
            _cancel(session, case, row, now, changes, record)
        else:
            changes.still_open.append(row)
    # An approval a holder asked for (加签) has no task in the workflow: it lives while its holder's does.
    holders = {row.id for row in changes.still_open}
    for row in approvals:
        if row.parent_id in holders:
            changes.still_open.append(row)
        else:
            _cancel(session, case, row, now, changes, record)
    created = []
    for spiff_id, task in ready.items():
        if spiff_id not in known:
            row = _new_row(session, case, task, now, policy)
            created.append((row, task))
            record(session, case, "task_created", None, task=row, message=row.name,
                   data={"role": row.lane_role, "store_code": row.store_code, "from": reached_from(task)})
    if created:
        assign_new_tasks(session, case, workflow, created, now, record)
        changes.created = [row for row, _ in created]
    changes.still_open += changes.created
    return changes


def _cancel(session: Session, case: CaseRow, row: TaskRow, now: datetime, changes: TaskChanges,
            record: Callable[..., None]) -> None:
    row.state, row.completed_at = "cancelled", now
    changes.changed.append(row)
    record(session, case, "task_cancelled", None, task=row, message=row.name)


def _new_row(session: Session, case: CaseRow, task: Any, now: datetime, policy: ProcessPolicy) -> TaskRow:
    spec = task.task_spec
    element = spec.bpmn_id
    store_code = _str(task.data.get("store_code"))
    region = (case.region if store_code and store_code == case.store_code
              else region_of(session, store_code)) or _str(task.data.get("region")) or case.region
    row = TaskRow(
        instance_id=case.id, spiff_task_id=str(task.id), process_key=case.process_key, element_id=element,
        name=spec.bpmn_name or element, lane_role=spec.lane, store_code=store_code, region=region,
        form_file=form_filename(spec), state="open", created_at=now,
        priority=_int(task_property(spec, "priority")) or 3,
        due_at=policy.due_at(element, now, task_property(spec, "dueInHours")))
    approvers.assign_approver(session, row, task)
    return row


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
