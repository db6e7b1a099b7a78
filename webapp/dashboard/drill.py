"""Where each figure of the dashboard leads: the case list filtered to what was clicked.

The case list filters cases by the day they started, in whole days of the viewer's zone; the
dashboard's period becomes those days. Open-task figures are counted as of now, so their links
carry no period: they lead to the running cases with a step waiting on that role or store.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from flask import url_for

from engine.queries import Dashboard

from .charts import BoardParams, chart_data


def cases_link(**args: Any) -> str:
    return url_for("cases.index", **{k: v for k, v in args.items() if v not in (None, "")})


class Drill:
    """The case list links for one dashboard view (its process, region and period)."""

    def __init__(self, params: BoardParams, now: datetime, tz: tzinfo) -> None:
        f = params.dashboard_filter(now, tz)
        self.scope = {"process": params.process, "region": params.region}
        self.days = {"start": _day(f.start, tz), "end": _day(f.end - timedelta(microseconds=1), tz)
                     if f.end else None}

    def open(self, **args: Any) -> str:
        """Running cases with an open step (as of now) matching `args`: role, store, overdue."""
        return cases_link(**{**self.scope, "status": "running", **args})

    def started(self, **args: Any) -> str:
        """Cases started in the period matching `args`: status, process."""
        return cases_link(**{**self.scope, **self.days, **args})

    def week(self, monday: date, **args: Any) -> str:
        """Cases started in the week of `monday`."""
        return cases_link(**{**self.scope, "start": monday.isoformat(),
                             "end": (monday + timedelta(days=6)).isoformat(), **args})

    def week_ended(self, monday: date) -> str:
        """Cases that ended (completed, terminated, withdrawn) in the week of `monday`."""
        return cases_link(**{**self.scope, "ended_start": monday.isoformat(),
                             "ended_end": (monday + timedelta(days=6)).isoformat()})


def _day(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).date().isoformat() if moment else None


def linked_chart_data(board: Dashboard, drill: Drill) -> dict[str, Any]:
    """`chart_data` with, on every series, the case list link of each of its bars or points."""
    data = chart_data(board)

    def open_links(key: str, field: str, counts: list[Any]) -> None:
        on_time, overdue = data[key]["series"]
        # a bar of no role or no store (company-wide cases) has no filter to lead to
        on_time["links"] = [drill.open(**{field: c.key}) if c.key else None for c in counts]
        overdue["links"] = [drill.open(overdue="yes", **{field: c.key}) if c.key else None for c in counts]

    open_links("open_by_role", "role", board.open_by_role)
    open_links("open_by_store", "store", board.open_by_store)
    processes = sorted({c.process_key for c in board.by_status})
    for series in data["by_status"]["series"]:
        series["links"] = [drill.started(process=p, status=series["key"]) for p in processes]
    cycle_links = [drill.started(process=c.process_key, status="completed") for c in board.cycle_times]
    for series in data["cycle_times"]["series"]:
        series["links"] = cycle_links
    for key, rows in (("step_times", board.step_times), ("sla", [r for r in board.sla if r.with_due])):
        links = [drill.started(process=r.process_key) for r in rows[:len(data[key]["labels"])]]
        for series in data[key]["series"]:
            series["links"] = links
    data["weekly"]["series"][0]["links"] = [drill.week(w.week) for w in board.weekly]
    data["weekly"]["series"][1]["links"] = [drill.week_ended(w.week) for w in board.weekly]
    return data
