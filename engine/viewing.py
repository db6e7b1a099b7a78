"""Who may see a case, who may supervise it, and turning rows into views."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from .assignment import actionable_filter, grants_of, role_keys
from .case_rows import CaseRow, TaskRow
from .models import HumanTask, ProcessInstance, User
from .views import InstanceView, TaskView

CS_PROCESSES = ("complaint_handling", "product_return")


def supervision_filter(user: User) -> ColumnElement[bool]:
    """Cases a user oversees by role: all for directors, their region for supervisors, ..."""
    roles = role_keys(user)
    if roles & {"admin", "ops_director"}:
        return true()
    clauses = []
    if "cs_manager" in roles:
        clauses.append(ProcessInstance.process_key.in_(CS_PROCESSES))
    regions = sorted({g.region for g in grants_of(user) if g.role == "store_supervisor" and g.region})
    if regions:
        clauses.append(ProcessInstance.region.in_(regions))
    return or_(*clauses) if clauses else false()


def visibility_filter(user: User) -> ColumnElement[bool]:
    """Cases a user may see: the ones they oversee, started, or took part in."""
    part_of = ProcessInstance.id.in_(select(HumanTask.instance_id).where(
        or_(HumanTask.assignee_id == user.id, HumanTask.completed_by_id == user.id,
            and_(HumanTask.state == "open", actionable_filter(grants_of(user))))))
    return or_(supervision_filter(user), ProcessInstance.started_by_id == user.id, part_of)


def may_see(session: Session, user: User, instance: ProcessInstance | CaseRow) -> bool:
    return session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == instance.id, visibility_filter(user))) is not None


def may_supervise(session: Session, user: User, instance: ProcessInstance | CaseRow) -> bool:
    return session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id == instance.id, supervision_filter(user))) is not None


def task_view(task: HumanTask, instance: ProcessInstance | None = None) -> TaskView:
    instance = instance or task.instance
    return _task_view(task, instance, task.assignee.username if task.assignee else None,
                      task.completed_by.username if task.completed_by else None)


def task_row_view(task: TaskRow, case: CaseRow) -> TaskView:
    """The view of a task row a command holds, which carries its people's names already."""
    return _task_view(task, case, task.assignee, task.completed_by)


def instance_view(session: Session, instance: ProcessInstance,
                  open_tasks: list[HumanTask] | None = None) -> InstanceView:
    """The case as plain data; a command passes the open task rows it already holds."""
    if open_tasks is None:
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                        HumanTask.state == "open").order_by(HumanTask.id)).all()
    else:
        tasks = sorted(open_tasks, key=lambda t: t.id)
    return _instance_view(instance, instance.version.version,
                          instance.started_by.username if instance.started_by else None,
                          [task_view(t, instance) for t in tasks])


def case_view(case: CaseRow, open_tasks: list[TaskRow]) -> InstanceView:
    """The view of a case row a command holds, with the open tasks it left."""
    return _instance_view(case, case.version, case.started_by,
                          [task_row_view(t, case) for t in sorted(open_tasks, key=lambda t: t.id)])


def _task_view(task: HumanTask | TaskRow, case: ProcessInstance | CaseRow | None, assignee: str | None,
               completed_by: str | None) -> TaskView:
    return TaskView(
        id=task.id, name=task.name, element_id=task.element_id, process_key=task.process_key,
        instance_id=task.instance_id, role=task.lane_role, store_code=task.store_code, assignee=assignee,
        state=task.state, created_at=task.created_at, due_at=task.due_at, priority=task.priority,
        business_key=case.business_key if case else None, title=case.title if case else None,
        claimed_at=task.claimed_at, completed_at=task.completed_at, completed_by=completed_by)


def _instance_view(case: ProcessInstance | CaseRow, version: int, started_by: str | None,
                   open_tasks: list[TaskView]) -> InstanceView:
    return InstanceView(
        id=case.id, process_key=case.process_key, version=version, status=case.status, outcome=case.outcome,
        business_key=case.business_key, title=case.title, store_code=case.store_code, started_by=started_by,
        started_at=case.started_at, ended_at=case.ended_at, open_tasks=open_tasks, last_error=case.last_error)
