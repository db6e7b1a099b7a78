"""A seeded history made `factor` times larger by copying its cases and tasks in SQL, for the 1M-case
dashboard figures: seeding a million cases through `workflows.history_seed` takes a quarter of an
hour per database, copying the 100k already seeded takes about a minute.

Copy k of a case keeps its times and store (so the copies land in the same days and buckets) and
gets the ids `id + k * stride`; its task rows follow it. Events are not copied: no dashboard figure
reads them. The rollups are scaled with the rows: every count and sum of a cell times `factor`, its
shortest and longest values unchanged, which is what a rebuild over the copies gives (checked by
`tests/bench/test_scale_up.py` on a small history). Real 1M histories fill a few more histogram
buckets than copies do; the cells a view reads grow with the steps and buckets, not the cases.
"""
from __future__ import annotations

from sqlalchemy import Integer, String, cast, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance, RollupCell


def scale_up(session: Session, factor: int) -> int:
    """Copy every case and task `factor - 1` times and scale the rollups; the caller commits.
    Returns the number of cases now."""
    cases, tasks = ProcessInstance.__table__, HumanTask.__table__
    case_stride = (session.scalar(select(func.max(cases.c.id))) or 0) + 1
    task_stride = (session.scalar(select(func.max(tasks.c.id))) or 0) + 1
    for k in range(1, factor):
        shifted = {"id": cases.c.id + k * case_stride}
        session.execute(insert(cases).from_select(
            [c.name for c in cases.c],
            select(*(shifted.get(c.name, c) for c in cases.c)).where(cases.c.id < case_stride)))
        copied = {"id": tasks.c.id + k * task_stride,
                  "instance_id": tasks.c.instance_id + k * case_stride,
                  "parent_id": tasks.c.parent_id + k * task_stride,
                  "spiff_task_id": tasks.c.spiff_task_id + literal(f"~{k}", String)}
        session.execute(insert(tasks).from_select(
            [c.name for c in tasks.c],
            select(*(copied.get(c.name, c) for c in tasks.c)).where(tasks.c.id < task_stride)))
    cells = RollupCell.__table__
    session.execute(update(cells).values(n=cells.c.n * factor, hours=cells.c.hours * factor,
                                         due=cells.c.due * factor, on_time=cells.c.on_time * factor))
    if session.get_bind().dialect.name == "postgresql":
        for table in (cases, tasks):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))"))
    return int(session.scalar(select(cast(func.count(), Integer)).select_from(cases)) or 0)
