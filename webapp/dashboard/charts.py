"""The dashboard's filters and the data its charts draw, with every label already in the person's
language (the chart script only draws what it is given).

Cycle times are charted in days (a complaint takes one, a store opening weeks), step times in
hours (the bottleneck chart compares waiting and working of single steps).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, Mapping

from flask_babel import format_date
from flask_babel import gettext as _

from engine.queries import Dashboard, DashboardFilter

from ..ui.local_days import query_day
from ..ui.names import process_name, role_name, status_name, step_name, store_name

PERIODS = ("30", "90", "365", "all")
STATUS_ORDER = ("running", "suspended", "error", "completed", "terminated", "withdrawn")
TOP_STEPS = 15


@dataclass(frozen=True)
class BoardParams:
    process: str = ""
    region: str = ""
    period: str = "90"
    start: str = ""  # YYYY-MM-DD: a custom period replaces `period`
    end: str = ""

    def args(self, **changes: Any) -> dict[str, Any]:
        values = asdict(replace(self, **changes))
        defaults = asdict(BoardParams())
        return {k: v for k, v in values.items() if v != defaults[k]}

    @property
    def custom(self) -> bool:
        return bool(self.start or self.end)

    def dashboard_filter(self, now: datetime, tz: tzinfo) -> DashboardFilter:
        if self.custom:
            first, last = query_day(self.start), query_day(self.end)
            start = datetime.combine(first, time(0), tzinfo=tz) if first else None
            end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz) if last else None
        else:
            start = None if self.period == "all" else datetime.combine(
                # whole days, as the case list the charts lead to counts them and as the rollups hold them
                now.astimezone(tz).date() - timedelta(days=int(self.period)), time(0), tzinfo=tz)
            end = None
        return DashboardFilter(process=self.process or None, region=self.region or None, start=start, end=end)


def parse_params(args: Mapping[str, str]) -> BoardParams:
    def text(name: str, limit: int) -> str:
        return (args.get(name) or "").strip()[:limit]

    period = text("period", 8)
    start, end = text("start", 10), text("end", 10)
    start, end = (start if query_day(start) else ""), (end if query_day(end) else "")
    if start and end and end < start:
        start, end = end, start
    return BoardParams(process=text("process", 64), region=text("region", 16),
                       period=period if period in PERIODS else "90", start=start, end=end)


def _round(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def chart_data(board: Dashboard) -> dict[str, Any]:
    """One entry per chart: category labels, series with names and values."""
    status_keys = [s for s in STATUS_ORDER if any(c.status == s for c in board.by_status)]
    processes = sorted({(c.process_key, c.process_name) for c in board.by_status})
    counts = {(c.process_key, c.status): c.cases for c in board.by_status}
    cycles, steps = board.cycle_times, board.step_times[:TOP_STEPS]
    sla = [r for r in board.sla if r.with_due][:TOP_STEPS]
    stores = [f"{c.key} {store_name(c.key) if store_name(c.key) != c.key else c.label}" if c.key
              else _("No store") for c in board.open_by_store]
    return {
        "open_by_role": _open_chart([role_name(c.key) or "—" for c in board.open_by_role],
                                    board.open_by_role),
        "open_by_store": _open_chart(stores, board.open_by_store),
        "by_status": {
            "labels": [process_name(k, n) for k, n in processes],
            "series": [_series(status_name(s), [counts.get((k, s), 0) for k, _n in processes], key=s,
                               stack="cases") for s in status_keys]},
        "cycle_times": {
            "labels": [process_name(c.process_key, c.process_name) for c in cycles], "unit": _("days"),
            "series": [_series(_("Median"), [_round(c.p50_hours / 24) for c in cycles]),
                       _series(_("90th percentile"), [_round(c.p90_hours / 24) for c in cycles])]},
        "step_times": {
            "labels": step_labels(steps), "unit": _("hours"),
            "series": [_series(_("Waiting (median)"), [_round(s.wait_p50) for s in steps], stack="time"),
                       _series(_("Working (median)"), [_round(s.work_p50) for s in steps], stack="time")]},
        "sla": {
            "labels": step_labels(sla), "unit": "%",
            "series": [_series(_("Done by the due time"), [_round(100 * (r.rate or 0)) for r in sla])]},
        "weekly": {
            "labels": [format_date(w.week, "short") for w in board.weekly],
            "series": [_series(_("Started"), [w.started for w in board.weekly]),
                       _series(_("Finished"), [w.finished for w in board.weekly])]},
    }


def _series(name: str, data: list[Any], **extra: str) -> dict[str, Any]:
    return {"name": name, "data": data, **extra}


def step_labels(rows: list[Any]) -> list[str]:
    """Step names, told apart where one name stands for several steps: by role (the four complaint
    investigations), else by process (quality registration in complaints and in returns)."""
    names = [step_name(r.process_key, r.element_id, r.name) for r in rows]
    labels = []
    for name, row in zip(names, rows):
        twins = [r for n, r in zip(names, rows) if n == name]
        if len(twins) == 1:
            labels.append(name)
        elif len({r.role for r in twins}) == len(twins):
            labels.append(f"{name}（{role_name(row.role)}）")
        else:
            labels.append(f"{name}（{process_name(row.process_key)}）")
    return labels


def _open_chart(labels: list[str], counts: list[Any]) -> dict[str, Any]:
    return {"labels": labels,
            "series": [_series(_("On time"), [c.open - c.overdue for c in counts], stack="open",
                               key="on_time"),
                       _series(_("Overdue"), [c.overdue for c in counts], stack="open", key="overdue")]}


def totals(board: Dashboard) -> dict[str, Any]:
    """The headline numbers above the charts."""
    with_due = sum(r.with_due for r in board.sla)
    return {"open": sum(c.open for c in board.open_by_role),
            "overdue": sum(c.overdue for c in board.open_by_role),
            "started": sum(w.started for w in board.weekly),
            "finished": sum(w.finished for w in board.weekly),
            "on_time": (sum(r.on_time for r in board.sla) / with_due) if with_due else None}
