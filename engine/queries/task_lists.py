"""The employee's task lists and the counts in the navigation, from the indexed task rows only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, defer, joinedload, lazyload, load_only

from engine.access import acting_grants
from engine.access.grants import actionable_filter, grants_of
from engine.errors import InvalidData
from engine.models import HumanTask, ProcessInstance, User
from engine.views import Page, TaskView, task_view

#: 待办 (`todo`, the default) is everything I may act on: assigned to me and claimable by me; `all`
#: is the same list under its older name.
TASK_SCOPES = ("todo", "mine", "claimable", "all")


TASK_SORTS = {
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
    "age": (HumanTask.created_at, HumanTask.id),
    # priority 1 is the most urgent
    "priority": (HumanTask.priority, HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
}


MAX_PER_PAGE = 100


def _paging_errors(page: int, per_page: int) -> dict[str, str]:
    errors = {}
    if page < 1:
        errors["page"] = "must be 1 or more"
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
    return errors


@dataclass(frozen=True)
class TaskFilter:
    scope: str = "todo"
    process: str | None = None
    store_code: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    search: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 20

    def checked(self) -> TaskFilter:
        errors = {}
        if self.scope not in TASK_SCOPES:
            errors["scope"] = f"must be one of {', '.join(TASK_SCOPES)}"
        if self.sort not in TASK_SORTS:
            errors["sort"] = f"must be one of {', '.join(TASK_SORTS)}"
        errors.update(_paging_errors(self.page, self.per_page))
        if errors:
            raise InvalidData("invalid list parameters", errors)
        return self


def _pool_grants(session: Session, user: User, now: datetime | None) -> Any:
    """The grants my pool is drawn from: mine, and (代理) those of whoever I stand in for at `now`."""
    return grants_of(user) if now is None else acting_grants(session, user, now)


def _task_query(session: Session, user: User, f: TaskFilter, now: datetime) -> Select[Any]:
    mine = and_(HumanTask.state == "open", HumanTask.assignee_id == user.id)
    if f.scope == "mine":  # no pool: no need to ask whom I stand in for
        condition = mine
    else:
        claimable = and_(HumanTask.state == "open", HumanTask.assignee_id.is_(None),
                         actionable_filter(_pool_grants(session, user, now)))
        condition = claimable if f.scope == "claimable" else or_(mine, claimable)
    query = select(HumanTask).where(condition)
    if f.process:
        query = query.where(HumanTask.process_key == f.process)
    if f.store_code:
        query = query.where(HumanTask.store_code == f.store_code)
    if f.overdue is True:
        query = query.where(HumanTask.due_at < now)
    elif f.overdue is False:
        query = query.where(or_(HumanTask.due_at.is_(None), HumanTask.due_at >= now))
    if f.due_before is not None:
        query = query.where(HumanTask.due_at < f.due_before)
    if f.search:
        pattern = f"%{f.search.strip()}%"
        query = query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            or_(ProcessInstance.title.ilike(pattern), ProcessInstance.business_key.ilike(pattern)))
    return query


# what a listed task's view reads of its case and people, and no more: not the case's process version
# (joined by default) nor the users' other columns — the list is the most frequent read there is
_LIST_LOADS = (
    defer(HumanTask.draft), defer(HumanTask.after_approvers),  # JSON the list does not show: not decoded
    joinedload(HumanTask.instance).options(
        load_only(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.title,
                  ProcessInstance.version_id),
        lazyload(ProcessInstance.version)),
    joinedload(HumanTask.assignee).load_only(User.id, User.username),
    joinedload(HumanTask.on_behalf_of).load_only(User.id, User.username),
)


def list_tasks(session: Session, user: User, f: TaskFilter, now: datetime) -> Page[TaskView]:
    f = f.checked()
    query = _task_query(session, user, f, now)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    offset = (f.page - 1) * f.per_page
    if offset >= total:  # past the end: empty, and no OFFSET the database could not hold
        return Page([], total, f.page, f.per_page)
    rows = session.scalars(query.options(*_LIST_LOADS)
                           .order_by(*TASK_SORTS[f.sort]).limit(f.per_page).offset(offset)).all()
    return Page([task_view(t) for t in rows], total, f.page, f.per_page)


def task_counts(session: Session, user: User, now: datetime | None = None) -> dict[str, int]:
    """The numbers in the navigation: my tasks, the ones I could claim, and both (待办, the badge);
    given `now`, my pool includes that of whoever I stand in for (代理)."""
    mine = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id == user.id)) or 0
    claimable = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id.is_(None),
        actionable_filter(_pool_grants(session, user, now)))) or 0
    return {"mine": mine, "claimable": claimable, "todo": mine + claimable}
