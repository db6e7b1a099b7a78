"""After a load run: did every answered completion land, once, and do the three records of a case agree?

For every case: its stored workflow, its task rows and its audit events tell one story — the workflow's
READY user tasks are exactly the open task rows, a finished workflow is a completed case with no open
task, and each completed task row has exactly one `task_completed` event (and no event names a task that
is not completed). For every completion the clients were answered 200: its row is completed. A lost
update would break one of these (a completion answered but overwritten, a task completed twice, a
case's state behind its rows).
"""
from __future__ import annotations

from collections import Counter

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import Engine
from engine.db import make_sessions, make_sql_engine
from engine.models import AuditEvent, HumanTask, ProcessInstance

MAX_LISTED = 10


def check(url: str, answered: list[int]) -> tuple[int, list[str]]:
    """(cases checked, problems found: empty when all agrees)."""
    sql_engine = make_sql_engine(url)
    problems: list[str] = []
    engine = Engine()
    try:
        with make_sessions(sql_engine)() as session:
            events = Counter(session.scalars(select(AuditEvent.task_id).where(
                AuditEvent.event_type == "task_completed", AuditEvent.task_id.is_not(None))))
            rows = session.execute(select(HumanTask.id, HumanTask.instance_id, HumanTask.state,
                                          HumanTask.spiff_task_id)).all()
            state_of = {r.id: r.state for r in rows}
            open_by_case: dict[int, set[str]] = {}
            for r in rows:
                if r.state == "open":
                    open_by_case.setdefault(r.instance_id, set()).add(r.spiff_task_id)
                if r.state == "completed" and events[r.id] != 1:
                    problems.append(f"task {r.id}: completed with {events[r.id]} task_completed events")
            problems += [f"task {t}: {n} task_completed events, but the row is {state_of.get(t, 'missing')}"
                         for t, n in events.items() if state_of.get(t) != "completed"]
            twice = [t for t, n in Counter(answered).items() if n > 1]
            problems += [f"task {t}: completion answered 200 more than once" for t in twice]
            problems += [f"task {t}: completion answered 200, but the row is {state_of.get(t, 'missing')}"
                         for t in set(answered) if state_of.get(t) != "completed"]
            cases = 0
            for case in session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)):
                cases += 1
                _, workflow = engine.load(session, case)
                ready = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
                stored = open_by_case.get(case.id, set())
                if ready != stored:
                    problems.append(f"case {case.id}: workflow READY user tasks {sorted(ready)} "
                                    f"but open task rows {sorted(stored)}")
                if workflow.is_completed() != (case.status == "completed"):
                    problems.append(f"case {case.id}: status {case.status}, "
                                    f"workflow {'completed' if workflow.is_completed() else 'running'}")
            total = session.scalar(select(func.count()).select_from(ProcessInstance))
            assert total == cases
    finally:
        sql_engine.dispose()
    if len(problems) > MAX_LISTED:
        problems = problems[:MAX_LISTED] + [f"... and {len(problems) - MAX_LISTED} more"]
    return cases, problems
