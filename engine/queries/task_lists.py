"""The employee's task lists and the counts in the navigation, from the indexed task rows only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.access import acting_grants
from engine.access.grants import Grant, actionable_filter, grants_of
from engine.errors import InvalidData
from engine.models import HumanTask, ProcessInstance, User
from engine.views import Page, TaskView, task_fields_view

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


def _conditions(session: Session, user: User, f: TaskFilter, now: datetime,
                grants: list[Grant] | None = None) -> list[Any]:
    """The list's WHERE, built once for its count and its rows (my pool may take a query: 代理)."""
    mine = and_(HumanTask.state == "open", HumanTask.assignee_id == user.id)
    if f.scope == "mine":  # no pool: no need to ask whom I stand in for
        condition = mine
    else:
        pool = grants if grants is not None else _pool_grants(session, user, now)
        claimable = and_(HumanTask.state == "open", HumanTask.assignee_id.is_(None), actionable_filter(pool))
        condition = claimable if f.scope == "claimable" else or_(mine, claimable)
    conditions = [condition]
    if f.process:
        conditions.append(HumanTask.process_key == f.process)
    if f.store_code:
        conditions.append(HumanTask.store_code == f.store_code)
    if f.overdue is True:
        conditions.append(HumanTask.due_at < now)
    elif f.overdue is False:
        conditions.append(or_(HumanTask.due_at.is_(None), HumanTask.due_at >= now))
    if f.due_before is not None:
        conditions.append(HumanTask.due_at < f.due_before)
    if f.search:
        pattern = f"%{f.search.strip()}%"
        conditions.append(or_(ProcessInstance.title.ilike(pattern),
                              ProcessInstance.business_key.ilike(pattern)))
    return conditions


# What a listed task's view reads, as plain columns: the list is the most frequent read there is, and
# building ORM objects for 50 tasks, their cases and people cost more than the query (issue 15).
_ASSIGNEE, _COMPLETED_BY, _ON_BEHALF_OF = aliased(User), aliased(User), aliased(User)
_LIST_ROWS = (
    select(HumanTask.id, HumanTask.name, HumanTask.element_id, HumanTask.process_key, HumanTask.instance_id,
           HumanTask.lane_role, HumanTask.store_code, HumanTask.state, HumanTask.created_at, HumanTask.due_at,
           HumanTask.priority, HumanTask.claimed_at, HumanTask.completed_at, HumanTask.kind,
           HumanTask.parent_id, HumanTask.position, HumanTask.waiting_on, HumanTask.decision,
           HumanTask.comment, ProcessInstance.business_key, ProcessInstance.title, ProcessInstance.version_id,
           _ASSIGNEE.username.label("assignee_name"), _COMPLETED_BY.username.label("completed_by_name"),
           _ON_BEHALF_OF.username.label("on_behalf_of_name"))
    .join_from(HumanTask, ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.id == HumanTask.assignee_id)
    .outerjoin(_COMPLETED_BY, _COMPLETED_BY.id == HumanTask.completed_by_id)
    .outerjoin(_ON_BEHALF_OF, _ON_BEHALF_OF.id == HumanTask.on_behalf_of_id))


def list_tasks(session: Session, user: User, f: TaskFilter, now: datetime,
               grants: list[Grant] | None = None) -> Page[TaskView]:
    """My tasks by `f`; `grants` are my pool's at `now` (`acting_grants`) when the caller has them
    already (a page that also shows `task_counts` reads them once)."""
    f = f.checked()
    conditions = _conditions(session, user, f, now, grants)
    counted = select(HumanTask.id)
    if f.search:
        counted = counted.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    counted = counted.where(*conditions)
    offset = (f.page - 1) * f.per_page
    # most people's whole list fits on its first page, which is then its own count: one query fewer
    rows = _page_rows(session, counted, f, 0) if offset == 0 else None
    if rows is not None and len(rows) < f.per_page:
        total = len(rows)
    else:
        total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        if offset >= total:  # past the end: empty, and no OFFSET the database could not hold
            return Page([], total, f.page, f.per_page)
        rows = rows if rows is not None else _page_rows(session, counted, f, offset)
    return Page([task_fields_view(r, r, r.assignee_name, r.completed_by_name,
                                  on_behalf_of=r.on_behalf_of_name) for r in rows], total, f.page, f.per_page)


def _page_rows(session: Session, counted: Any, f: TaskFilter, offset: int) -> Sequence[Any]:
    """The page's ids first, from the task table alone, then the joins for those rows only: PostgreSQL
    cannot take the LIMIT below the joins, so it joined every open task of mine (8 ms for 1,500)."""
    order = TASK_SORTS[f.sort]
    page = counted.order_by(*order).limit(f.per_page).offset(offset).subquery()
    return session.execute(_LIST_ROWS.join(page, page.c.id == HumanTask.id).order_by(*order)).all()


def task_counts(session: Session, user: User, now: datetime | None = None,
                grants: list[Grant] | None = None) -> dict[str, int]:
    """The numbers in the navigation: my tasks, the ones I could claim, and both (待办, the badge);
    given `now`, my pool includes that of whoever I stand in for (代理); given `grants`, those are my
    pool's (as `list_tasks` takes them)."""
    mine = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id == user.id)) or 0
    claimable = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id.is_(None),
        actionable_filter(grants if grants is not None else _pool_grants(session, user, now)))) or 0
    return {"mine": mine, "claimable": claimable, "todo": mine + claimable}
