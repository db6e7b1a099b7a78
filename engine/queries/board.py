"""The dashboard for one viewer: its open-task figures counted now from the open tasks (few, and
"overdue" moves with the clock), its period figures read from the rollup cells where the viewer's
scope and time zone allow, else from the base tables (`dashboard`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, and_, text
from sqlalchemy.orm import Session

from engine.access.visibility import may_view_dashboard, reading_filter
from engine.errors import PermissionDenied
from engine.models import ProcessInstance, User
from engine.models.rollups import CYCLE, ENDED_CASES, WAIT, WORK
from engine.policy import SupervisionRules

from . import dashboard as raw
from . import dashboard_rollups as cells
from .dashboard import (
    CycleTime,
    Dashboard,
    DashboardFilter,
    StatusCount,
    StepTime,
    WeekCount,
)
from .dashboard_rollups import Histogram, Period
from .open_work import Late, open_work


def dashboard_view(session: Session, user: User, f: DashboardFilter, now: datetime, tz: tzinfo, *,
                   rules: SupervisionRules, zone: tzinfo | None = None) -> Dashboard:
    """All figures for one viewer: only the cases they read by role count (a store manager's store).

    `zone` is the zone the rollups count days in (the engine's); without it every figure is read
    from the base tables, as it must be when the rollups are not kept (rows written behind the
    commands' back and not rebuilt)."""
    if not may_view_dashboard(user, rules=rules):
        raise PermissionDenied(f"{user.username} supervises no cases")
    scope = _scope(user, f, rules)
    _serial(session)
    work = open_work(session, scope, now)
    open_figures = {"open_by_role": work.by_role, "open_by_store": work.by_store}
    counted = cells.cell_scope(scope, with_store=True) if zone is not None else None
    if zone is None or counted is None:
        steps = raw.completed_steps(session, scope, f)
        return Dashboard(filter=f, generated_at=now, **open_figures,
                         by_status=raw.by_status(session, scope, f),
                         cycle_times=raw.cycle_times(session, scope, f),
                         step_times=raw.step_times(session, scope, f, steps),
                         sla=raw.sla(session, scope, f, work.late, steps),
                         weekly=raw.weekly(session, scope, f, now, tz))
    period = cells.split_period(f.start, f.end, zone)
    timed = cells.cell_scope(scope, with_store=False)
    edges = cells.edge_filters(f, period)
    names = raw.process_names(session)  # read once for the status counts and the times
    if timed is None:  # a store reader: histogram cells have no store
        steps = raw.completed_steps(session, scope, f)
        cycle_times = raw.cycle_times(session, scope, f)
        step_times = raw.step_times(session, scope, f, steps)
        sla = raw.sla(session, scope, f, work.late, steps)
    else:
        cycle_times, step_times, sla = _timed(session, scope, timed, f, period, edges, work.late, names)
    weekly = (_weekly(session, scope, counted, f, period, edges, now, tz) if _same_zone(tz, zone, now)
              else raw.weekly(session, scope, f, now, tz))
    return Dashboard(filter=f, generated_at=now, **open_figures,
                     by_status=_by_status(session, scope, counted, f, period, edges, names),
                     cycle_times=cycle_times, step_times=step_times, sla=sla, weekly=weekly)


def _serial(session: Session) -> None:
    """Each of the dashboard's queries reads a few thousand rows: on PostgreSQL, starting parallel
    workers for them costs more than they save (the histogram read took 100 ms with two workers on a
    busy 2-core machine, 45 ms without), so this transaction plans without them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _scope(user: User, f: DashboardFilter, rules: SupervisionRules) -> ColumnElement[bool]:
    clauses = [reading_filter(user, rules=rules)]
    if f.process:
        clauses.append(ProcessInstance.process_key == f.process)
    if f.region:
        clauses.append(ProcessInstance.region == f.region)
    return and_(*clauses)


def _same_zone(tz: tzinfo, zone: tzinfo, now: datetime) -> bool:
    """Whether the viewer's weeks are made of the rollups' days (the weekly flow sums day cells)."""
    if str(tz) == str(zone):
        return True
    later = now + timedelta(days=183)
    return {now.astimezone(tz).utcoffset(), later.astimezone(tz).utcoffset(),
            now.astimezone(zone).utcoffset(), later.astimezone(zone).utcoffset()} == {
        now.astimezone(zone).utcoffset()}


def _by_status(session: Session, scope: ColumnElement[bool], counted: ColumnElement[bool],
               f: DashboardFilter, period: Period, edges: list[DashboardFilter], names: dict[str, str],
               ) -> list[StatusCount]:
    counts = cells.status_counts(session, scope, counted, period)
    for (key, status), n in cells.open_status_counts(
            session, scope, raw.in_period(ProcessInstance.started_at, f)).items():
        counts[(key, status)] = counts.get((key, status), 0) + n
    for edge in edges:
        for row in raw.by_status(session, scope, edge):  # the not ended are counted above
            if row.status in cells.STATUS_OF_CODE.values():
                pair = (row.process_key, row.status)
                counts[pair] = counts.get(pair, 0) + row.cases
    return [StatusCount(key, names.get(key, key), status, n) for (key, status), n in sorted(counts.items())]


def _timed(session: Session, scope: ColumnElement[bool], timed: ColumnElement[bool], f: DashboardFilter,
           period: Period, edges: list[DashboardFilter], late: Late, names: dict[str, str],
           ) -> tuple[list[CycleTime], list[StepTime], list[raw.SlaRow]]:
    """Cycle times, time per step and SLA from the histogram cells plus the part-days at the ends."""
    found, done = cells.histograms(session, timed, period)
    for edge in edges:
        for key, hours in raw.cycle_hours(session, scope, edge).items():
            found.setdefault((CYCLE, key, ""), Histogram()).add(hours)
        for (key, element), step in raw.completed_steps(session, scope, edge).items():
            found.setdefault((WAIT, key, element), Histogram()).add(step.waits)
            found.setdefault((WORK, key, element), Histogram()).add(step.works)
            entry = done.setdefault((key, element), [step.name, step.role, 0, 0])
            entry[2] += step.with_due
            entry[3] += step.on_time
    cycle_times = [CycleTime(key, names.get(key, key), h.count, *h.summary())
                   for (measure, key, _), h in sorted(found.items()) if measure == CYCLE]
    step_times = []
    for (key, element), (name, role, _due, _on_time) in done.items():
        waits, works = found[(WAIT, key, element)], found[(WORK, key, element)]
        w_avg, w50, w90 = waits.summary()
        x_avg, x50, x90 = works.summary()
        step_times.append(StepTime(key, element, name, works.count, w50, w90, w_avg, x50, x90, x_avg, role))
    step_times.sort(key=lambda s: (-s.total_p50, s.process_key, s.element_id))
    sla = raw.sla_rows({key: (name, role, due, on_time) for key, (name, role, due, on_time) in done.items()},
                       late)
    return cycle_times, step_times, sla


def _weekly(session: Session, scope: ColumnElement[bool], counted: ColumnElement[bool], f: DashboardFilter,
            period: Period, edges: list[DashboardFilter], now: datetime, tz: tzinfo) -> list[WeekCount]:
    weeks: dict[date, list[int]] = {}
    for (measure, day), n in cells.day_counts(session, counted, period).items():
        weeks.setdefault(cells.monday(day), [0, 0])[measure == ENDED_CASES] += n
    for edge in edges:
        for week in raw.weekly(session, scope, edge, now, tz):
            counts = weeks.setdefault(week.week, [0, 0])
            counts[0] += week.started
            counts[1] += week.finished
    weeks = {week: counts for week, counts in weeks.items() if any(counts)}
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [WeekCount(first + timedelta(weeks=n), *weeks.get(first + timedelta(weeks=n), [0, 0]))
            for n in range((last - first).days // 7 + 1)]


__all__ = ["dashboard_view"]
