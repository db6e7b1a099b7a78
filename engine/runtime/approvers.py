"""The people of an approval step with several approvers (会签 / 或签 / 依次): who they are, and
each one's task row given to them.

The model side (properties, modes, deploy check) is in `engine.bpmn.approvals`. Here:
- `attach` lets a workflow loaded for a command fill an `approverRole` step's list of approvers from
  the directory: the active holders of those roles in the case's scope, written into the step's
  data (its loop input) just before SpiffWorkflow makes one instance per approver;
- `assign_approver` gives the row of each instance to the approver its data names, under the role
  they approve by, so it shows in their 待办 and nobody else's.
A step left with nobody to approve fails like model code (the command is refused; a background run
stops on an incident) instead of passing unapproved.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Sequence
from weakref import WeakKeyDictionary

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Grant, deputy_for
from engine.bpmn.approvals import approval_loops, approval_mode, approver_roles
from engine.models import RoleAssignment, User

from .case_rows import TaskRow

_LOOKUP = "opsflow_approver_lookup"  # the attribute a loaded workflow carries its lookup under
Lookup = Callable[[Sequence[str]], list[str]]
_LOOPS: WeakKeyDictionary[Any, tuple[MultiInstanceTask, ...]] = WeakKeyDictionary()


def attach(workflow: BpmnWorkflow, session: Session, store_code: str | None, region: str | None) -> None:
    """Make `workflow` able to start its approval steps during this command: `approverRole` holders
    are looked up in `session`, in the scope of the case (`store_code`, `region`)."""
    loops = [loop for spec in (workflow.spec, *workflow.subprocess_specs.values()) for loop in _loops(spec)]
    if not loops:
        return
    setattr(workflow, _LOOKUP, partial(holders_in_scope, session, store_code, region))
    for loop in loops:
        if not loop.update_event.is_connected(_fill_approvers):
            loop.update_event.connect(_fill_approvers)


def _loops(process_spec: Any) -> tuple[MultiInstanceTask, ...]:
    """The approval steps of a parsed process, found once: specs are shared and never change."""
    found = _LOOPS.get(process_spec)
    if found is None:
        found = _LOOPS[process_spec] = tuple(loop for loop, _ in approval_loops(process_spec))
    return found


def holders_in_scope(session: Session, store_code: str | None, region: str | None,
                     roles: Sequence[str]) -> list[str]:
    """Usernames of the active holders of `roles` whose grant covers the scope, role by role in the
    order given, each person once."""
    rows = session.execute(
        select(User.username, RoleAssignment.role, RoleAssignment.store_code, RoleAssignment.region)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role.in_(list(roles)), User.active.is_(True))
        .order_by(User.username)).all()
    found: dict[str, None] = {}
    for role in roles:
        for username, held, grant_store, grant_region in rows:
            if Grant(held, grant_store, grant_region).covers(role, store_code, region):
                found.setdefault(username)
    return list(found)


def _fill_approvers(workflow: Any, task: Any) -> None:
    """SpiffWorkflow calls this as an approval step is entered, before it makes its instances: the
    list of approvers is made (`approverRole`) or checked (a list from the case data: each must hold
    the step's lane role in the case's scope)."""
    loop: MultiInstanceTask = task.task_spec
    child = task.workflow.spec.task_specs[loop.task_spec]
    assert loop.data_input is not None  # the deploy check requires it of an approval step
    name, roles = loop.data_input.bpmn_id, approver_roles(child)
    step = child.bpmn_name or child.bpmn_id
    lookup: Lookup | None = getattr(getattr(workflow, "top_workflow", workflow), _LOOKUP, None)
    if lookup is None:
        raise WorkflowTaskException(f"the approvers of {step!r} are looked up by the engine only "
                                    "(a workflow it loads carries the lookup)", task=task)
    holders = lookup(roles or (child.lane,))
    if roles:
        task.data[name] = holders
        if not holders:
            raise WorkflowTaskException(f"nobody holds {', '.join(roles)} in the case's scope to approve "
                                        f"{step!r}", task=task)
        return
    named = task.data.get(name)
    if not isinstance(named, list) or not named or not all(isinstance(a, str) and a for a in named):
        raise WorkflowTaskException(f"{name!r} must be a non-empty list of usernames to approve {step!r}",
                                    task=task)
    strangers = [a for a in named if a not in holders]
    if strangers:
        raise WorkflowTaskException(f"{', '.join(strangers)} may not approve {step!r}: not an active "
                                    f"{child.lane} in the case's scope", task=task)


def assign_approver(session: Session, row: TaskRow, task: Any) -> None:
    """Give the row of an approval step's instance to the approver the instance's data names, under
    the first of the step's roles (`approverRole`, else the lane) they hold in the row's scope.

    Someone unknown, inactive or without such a role in scope cannot act on it: the row stays in the
    lane's pool instead, where the step's role holders see it (and a supervisor may assign it)."""
    if not is_approval(task):
        return
    loop = task.parent.task_spec
    username = task.data.get(loop.input_item.bpmn_id) if loop.input_item is not None else None
    if not isinstance(username, str) or not username:
        return
    held = session.execute(
        select(User.id, RoleAssignment.role, RoleAssignment.store_code, RoleAssignment.region)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.username == username, User.active.is_(True))).all()
    for role in approver_roles(task.task_spec) or (row.lane_role,):
        for user_id, held_role, grant_store, grant_region in held:
            if Grant(held_role, grant_store, grant_region).covers(role, row.store_code, row.region):
                row.lane_role, row.assignee_id, row.assignee = role, user_id, username
                row.claimed_at = row.created_at
                _to_deputy(session, row)
                return


def _to_deputy(session: Session, row: TaskRow) -> None:
    """代理: an approver away as the step starts has their deputy approve in their stead, if the
    deputy holds the role in scope; the row says on whose behalf."""
    approver = session.get(User, row.assignee_id)
    deputy = deputy_for(session, approver, row, row.created_at) if approver is not None else None
    if deputy is not None:
        row.on_behalf_of_id, row.assignee_id, row.assignee = row.assignee_id, deputy.id, deputy.username


def is_approval(task: Any) -> bool:
    """Whether a READY task is one approver's instance of an approval step."""
    parent = task.parent
    return (parent is not None and isinstance(parent.task_spec, MultiInstanceTask)
            and approval_mode(task.task_spec) is not None)
