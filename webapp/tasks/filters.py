"""The task list's query string: read leniently, turned into the engine's `TaskFilter`, written back
into links (tabs, paging, saved filters) without the defaults, so URLs stay short and shareable.

A bad value falls back to its default instead of failing: these URLs are typed, bookmarked and
saved, and an old bookmark should still open a list.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, Mapping

from engine.queries import TaskFilter

SCOPES = ("todo", "mine", "claimable")  # 待办 first: the default
SORTS = ("due", "age", "priority")
DUE = ("", "today", "overdue")
PER_PAGE = 20
#: What a saved filter keeps (the page number is not part of a filter).
SAVED_KEYS = ("scope", "process", "store", "due", "sort", "q")


@dataclass(frozen=True)
class ListParams:
    scope: str = "todo"
    process: str = ""
    store: str = ""
    due: str = ""
    sort: str = "due"
    q: str = ""
    page: int = 1

    def with_(self, **changes: Any) -> ListParams:
        return replace(self, **changes)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link to this list (with `changes`), defaults left out."""
        values = asdict(self.with_(**changes))
        defaults = asdict(ListParams())
        return {k: v for k, v in values.items() if v != defaults[k]}

    def saved(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.args().items() if k in SAVED_KEYS}

    @property
    def filtered(self) -> bool:
        return bool(self.process or self.store or self.due or self.q)

    def task_filter(self, now: datetime, tz: tzinfo) -> TaskFilter:
        overdue, due_before = None, None
        if self.due == "overdue":
            overdue = True
        elif self.due == "today":
            due_before = end_of_day(now, tz)
        return TaskFilter(scope=self.scope, process=self.process or None, store_code=self.store or None,
                          overdue=overdue, due_before=due_before, search=self.q or None, sort=self.sort,
                          page=self.page, per_page=PER_PAGE)


def end_of_day(now: datetime, tz: tzinfo) -> datetime:
    """Midnight at the end of `now`'s day in the person's time zone: "due today" means due before it."""
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def parse_params(args: Mapping[str, str]) -> ListParams:
    def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = (args.get(name) or "").strip()
        return value if value in allowed else default

    try:
        page = max(1, min(int(args.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    return ListParams(scope=pick("scope", SCOPES, "todo"), process=(args.get("process") or "").strip()[:64],
                      store=(args.get("store") or "").strip()[:16], due=pick("due", DUE, ""),
                      sort=pick("sort", SORTS, "due"), q=(args.get("q") or "").strip()[:100], page=page)
