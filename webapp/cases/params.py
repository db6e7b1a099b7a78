"""The case list's query string: read leniently into the engine's `CaseFilter`, written back into
links (paging, export, the bulk form's return address) without the defaults.

Dates are whole days in the person's time zone: "from 3 Nov to 5 Nov" means from midnight at the
start of the 3rd to midnight at the end of the 5th there. A bad value falls back to its default
instead of failing, because these URLs are bookmarked and shared.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, Mapping

from engine.queries import SORTS, STATUSES, CaseFilter

from ..record_ids import record_id
from ..ui.local_days import query_day

PER_PAGE = (25, 50, 100)
OVERDUE = ("", "yes", "no")


@dataclass(frozen=True)
class CaseParams:
    process: str = ""
    version: str = ""
    status: str = ""
    store: str = ""
    region: str = ""
    starter: str = ""
    start: str = ""  # YYYY-MM-DD, first day
    end: str = ""  # YYYY-MM-DD, last day
    ended_start: str = ""  # YYYY-MM-DD: the case ended on this day or later
    ended_end: str = ""  # YYYY-MM-DD: the case ended on this day or earlier
    overdue: str = ""
    q: str = ""
    sort: str = "newest"
    per_page: int = 25
    page: int = 1
    has_incident: str = ""  # yes: stopped on an open incident; no: not
    role: str = ""  # an open step waits on this role (the dashboard links here)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link to this list (with `changes`), defaults left out."""
        values = asdict(replace(self, **changes))
        defaults = asdict(CaseParams())
        return {k: v for k, v in values.items() if v != defaults[k]}

    @property
    def filtered(self) -> bool:
        return any((self.process, self.version, self.status, self.store, self.region, self.starter,
                    self.start, self.end, self.ended_start, self.ended_end, self.overdue, self.q,
                    self.has_incident, self.role))

    def case_filter(self, tz: tzinfo) -> CaseFilter:
        first, last = query_day(self.start), query_day(self.end)
        ended_first, ended_last = query_day(self.ended_start), query_day(self.ended_end)
        return CaseFilter(
            process=self.process or None, version=int(self.version) if self.version else None,
            status=self.status or None, store_code=self.store or None, region=self.region or None,
            started_by=self.starter or None,
            started_from=datetime.combine(first, time(0), tzinfo=tz) if first else None,
            started_to=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz) if last else None,
            ended_from=datetime.combine(ended_first, time(0), tzinfo=tz) if ended_first else None,
            ended_to=(datetime.combine(ended_last + timedelta(days=1), time(0), tzinfo=tz)
                      if ended_last else None),
            overdue={"yes": True, "no": False}.get(self.overdue), search=self.q or None, sort=self.sort,
            page=self.page, per_page=self.per_page,
            has_incident={"yes": True, "no": False}.get(self.has_incident), waiting_role=self.role or None)


def parse_params(args: Mapping[str, str]) -> CaseParams:
    def text(name: str, limit: int) -> str:
        return (args.get(name) or "").strip()[:limit]

    def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = text(name, 32)
        return value if value in allowed else default

    def number(name: str, default: int, allowed: tuple[int, ...] | None = None) -> int:
        try:
            value = max(1, min(int(args.get(name) or default), 100_000))
        except ValueError:
            return default
        return value if allowed is None or value in allowed else default

    start, end = _days(text("start", 10), text("end", 10))
    ended_start, ended_end = _days(text("ended_start", 10), text("ended_end", 10))
    version = text("version", 6)
    return CaseParams(
        process=text("process", 64), version=version if record_id(version) else "",
        status=pick("status", STATUSES, ""), store=text("store", 16), region=text("region", 16),
        starter=text("starter", 64), start=start, end=end, ended_start=ended_start, ended_end=ended_end,
        overdue=pick("overdue", OVERDUE, ""), q=text("q", 100), sort=pick("sort", SORTS, "newest"),
        per_page=number("per_page", 25, PER_PAGE), page=number("page", 1),
        has_incident=pick("has_incident", OVERDUE, ""), role=text("role", 64))


def _days(start: str, end: str) -> tuple[str, str]:
    """A range of whole days, each dropped if it is not a day, swapped if given backwards."""
    start, end = (day if query_day(day) else "" for day in (start, end))
    if start and end and query_day(end) < query_day(start):
        start, end = end, start
    return start, end
