"""Dashboard figures against values worked out by hand from a small history with known times.

Six cases (hours after t0 = Monday 2026-10-05 00:00 in Shanghai):
  C1 complaint SH001/EAST  0 → 10h   investigate wait 2 work 4 (due 24h: on time), follow-up wait 1 work 3
  C2 complaint SH001/EAST  24 → 54h  investigate wait 4 work 16 (on time),         follow-up wait 1 work 9
  C3 complaint BJ001/NORTH 48 → 68h  investigate wait 1 work 7 (on time),          follow-up wait 10 work 2
                                     (every follow-up is due 2h after it was created: all late)
  C6 complaint BJ001/NORTH 72 → 77h   terminated, its investigation cancelled
  C4 return SH001/EAST     now-30h    running: cs_review open, unclaimed, due now-6h (overdue)
  C5 opening SH001/EAST    now-2h     running: plan_approval claimed by the director, due in 46h
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import PermissionDenied, access, queries, runtime
from engine.directory.accounts import RoleSpec, insert_user_unchecked, upsert_store
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion
from workflows import history_paths
from workflows.history_seed import seed_history
from workflows.registry import SUPERVISION

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 5, 0, 0, tzinfo=SHANGHAI).astimezone(timezone.utc)
NOW = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)
PROCESSES = {"complaint_handling": "客户投诉处理", "product_return": "退货申请", "store_opening": "新店开业",
             "new_product_launch": "新品上市"}


def h(hours: float, base: datetime = T0) -> datetime:
    return base + timedelta(hours=hours)


@pytest.fixture
def history(sessions):
    with sessions() as s:
        upsert_store(s, "SH001", "上海南京路店", region="EAST")
        upsert_store(s, "BJ001", "北京王府井店", region="NORTH")
        users = {name: insert_user_unchecked(s, name, "secret1", roles=roles, now=T0) for name, roles in {
            "director": [RoleSpec("ops_director")],
            "supervisor_east": [RoleSpec("store_supervisor", region="EAST")],
            "cs_manager": [RoleSpec("cs_manager")],
            "cs_li": [RoleSpec("cs_agent")],
            "manager_sh001": [RoleSpec("store_manager", "SH001")],
            "analyst": [RoleSpec("analyst")],
        }.items()}
        versions = {}
        for key, name in PROCESSES.items():
            definition = ProcessDefinition(key=key, name=name, latest_version=1)
            version = ProcessVersion(definition=definition, version=1, checksum="-", deployed_at=T0)
            s.add_all([definition, version])
            s.flush()
            versions[key] = version.id
        ids = iter(range(1, 100))

        def case(process, store, region, started, ended=None, status="completed"):
            n = next(ids)
            row = ProcessInstance(id=n, version_id=versions[process], process_key=process, title=f"C{n}",
                                  status=status, store_code=store, region=region, started_at=started,
                                  updated_at=ended or started, ended_at=ended, state="",
                                  started_by_id=users["cs_li"].id)
            s.add(row)
            s.flush()
            return row

        def task(instance, element, role, created, claimed, completed, due, state="completed", who="cs_li"):
            s.add(HumanTask(instance_id=instance.id, spiff_task_id=f"{instance.id}-{element}",
                            process_key=instance.process_key, element_id=element,
                            name=element.replace("_", " "), lane_role=role, store_code=instance.store_code,
                            region=instance.region, state=state,
                            created_at=created, claimed_at=claimed, completed_at=completed, due_at=due,
                            assignee_id=users[who].id if claimed else None,
                            completed_by_id=users[who].id if state == "completed" else None))

        for start, (wait1, work1), (wait2, work2), store, region in (
                (0, (2, 4), (1, 3), "SH001", "EAST"), (24, (4, 16), (1, 9), "SH001", "EAST"),
                (48, (1, 7), (10, 2), "BJ001", "NORTH")):
            done1 = start + wait1 + work1
            end = done1 + wait2 + work2
            c = case("complaint_handling", store, region, h(start), h(end))
            task(c, "investigate", "store_manager", h(start), h(start + wait1), h(done1), h(start + 24))
            task(c, "follow_up", "cs_agent", h(done1), h(done1 + wait2), h(end), h(done1 + 2))
        c6 = case("complaint_handling", "BJ001", "NORTH", h(72), h(77), status="terminated")
        task(c6, "investigate", "store_manager", h(72), None, h(77), h(96), state="cancelled")
        c4 = case("product_return", "SH001", "EAST", h(-30, NOW), status="running")
        task(c4, "cs_review", "cs_agent", h(-30, NOW), None, None, h(-6, NOW), state="open")
        c5 = case("store_opening", "SH001", "EAST", h(-2, NOW), status="running")
        task(c5, "plan_approval", "ops_director", h(-2, NOW), h(-1, NOW), None, h(46, NOW), state="open",
             who="director")
        s.commit()
        yield s, users


def board(history, user="director", tz=SHANGHAI, zone=None, **filters):
    session, users = history
    return queries.dashboard_view(session, users[user], queries.DashboardFilter(**filters), NOW, tz,
                                  rules=SUPERVISION, zone=zone)


def test_cycle_time_median_and_p90_by_nearest_rank(history):
    [complaints] = board(history).cycle_times
    assert (complaints.process_key, complaints.process_name, complaints.cases) == (
        "complaint_handling", "客户投诉处理", 3)
    assert (complaints.avg_hours, complaints.p50_hours, complaints.p90_hours) == pytest.approx((20, 20, 30))
    [east] = board(history, "supervisor_east").cycle_times
    assert (east.cases, east.p50_hours, east.p90_hours) == (2, pytest.approx(10), pytest.approx(30))


def test_time_per_step_splits_waiting_from_working(history):
    steps = {s.element_id: s for s in board(history).step_times}
    assert set(steps) == {"investigate", "follow_up"}
    investigate, follow_up = steps["investigate"], steps["follow_up"]
    assert investigate.tasks == 3
    assert (investigate.wait_p50, investigate.wait_p90, investigate.wait_avg) == pytest.approx((2, 4, 7 / 3))
    assert (investigate.work_p50, investigate.work_p90, investigate.work_avg) == pytest.approx((7, 16, 9))
    assert (follow_up.wait_p50, follow_up.wait_p90, follow_up.work_p50, follow_up.work_p90) == pytest.approx(
        (1, 10, 3, 9))
    assert [s.element_id for s in board(history).step_times] == ["investigate", "follow_up"]  # longest first


def test_sla_compliance_per_step_and_overdue_now(history):
    sla = {r.element_id: r for r in board(history).sla}
    assert (sla["investigate"].with_due, sla["investigate"].on_time, sla["investigate"].rate) == (3, 3, 1.0)
    assert (sla["follow_up"].with_due, sla["follow_up"].late, sla["follow_up"].rate) == (3, 3, 0.0)
    assert (sla["cs_review"].with_due, sla["cs_review"].open_overdue, sla["cs_review"].rate) == (0, 1, None)
    assert [r.element_id for r in board(history).sla][0] == "follow_up"  # worst first


def test_open_tasks_by_role_and_store_with_overdue(history):
    d = board(history)
    by_role = {c.key: (c.open, c.overdue, c.unassigned) for c in d.open_by_role}
    assert by_role == {"cs_agent": (1, 1, 1), "ops_director": (1, 0, 0)}
    assert [(c.key, c.label, c.open, c.overdue) for c in d.open_by_store] == [("SH001", "上海南京路店", 2, 1)]


def test_cases_by_process_and_status(history):
    counts = {(c.process_key, c.status): c.cases for c in board(history).by_status}
    assert counts == {("complaint_handling", "completed"): 3, ("complaint_handling", "terminated"): 1,
                      ("product_return", "running"): 1, ("store_opening", "running"): 1}


def test_weeks_start_on_monday_in_the_viewers_time_zone(history):
    weeks = [(w.week, w.started, w.finished) for w in board(history).weekly]
    assert weeks == [(date(2026, 10, 5), 4, 4), (date(2026, 10, 12), 0, 0), (date(2026, 10, 19), 2, 0)]
    # in UTC, t0 and the return's start (20:00 on Sunday, already Monday in Shanghai) fall a week earlier
    weeks = [(w.week, w.started, w.finished) for w in board(history, tz=timezone.utc).weekly]
    assert weeks == [(date(2026, 9, 28), 1, 0), (date(2026, 10, 5), 3, 4), (date(2026, 10, 12), 1, 0),
                     (date(2026, 10, 19), 1, 0)]


def test_period_process_and_region_filters(history):
    d = board(history, start=h(36))
    assert {(c.process_key, c.status): c.cases for c in d.by_status} == {
        ("complaint_handling", "completed"): 1, ("complaint_handling", "terminated"): 1,
        ("product_return", "running"): 1, ("store_opening", "running"): 1}
    [complaints] = d.cycle_times
    assert (complaints.cases, complaints.p50_hours, complaints.p90_hours) == (
        2, pytest.approx(20), pytest.approx(30))
    assert {s.element_id: s.tasks for s in d.step_times} == {"investigate": 2, "follow_up": 2}
    assert board(history, end=h(36)).cycle_times[0].cases == 1
    north = board(history, region="NORTH")
    assert {(c.process_key, c.status): c.cases for c in north.by_status} == {
        ("complaint_handling", "completed"): 1, ("complaint_handling", "terminated"): 1}
    assert north.open_by_role == [] and north.open_by_store == []
    returns = board(history, process="product_return")
    assert [(c.key, c.open) for c in returns.open_by_role] == [("cs_agent", 1)]
    assert returns.cycle_times == [] and returns.step_times == []


def test_each_viewer_counts_only_the_cases_they_supervise(history):
    cs = board(history, "cs_manager")
    assert {c.key for c in cs.open_by_role} == {"cs_agent"}  # the opening is not theirs
    assert {c.process_key for c in cs.by_status} == {"complaint_handling", "product_return"}
    east = board(history, "supervisor_east")
    assert {(c.process_key, c.status): c.cases for c in east.by_status} == {
        ("complaint_handling", "completed"): 2, ("product_return", "running"): 1,
        ("store_opening", "running"): 1}
    session, users = history
    assert not access.may_view_dashboard(users["cs_li"], rules=SUPERVISION)
    with pytest.raises(PermissionDenied):
        board(history, "cs_li")


def test_the_analyst_reads_every_case_and_a_store_manager_their_store(history):
    session, users = history
    assert board(history, "analyst") == board(history, "director")
    mine = board(history, "manager_sh001")
    assert {(c.process_key, c.status): c.cases for c in mine.by_status} == {
        ("complaint_handling", "completed"): 2, ("product_return", "running"): 1,
        ("store_opening", "running"): 1}
    assert {c.key for c in mine.open_by_store} == {"SH001"}
    assert board(history, "manager_sh001", region="NORTH").by_status == []
    for reader in ("analyst", "manager_sh001"):  # reading is not overseeing: no case actions
        assert access.may_view_dashboard(users[reader], rules=SUPERVISION)
        assert not access.may_supervise_cases(users[reader], rules=SUPERVISION)
        assert not access.may_supervise(session, users[reader], session.get(ProcessInstance, 1),
                                        rules=SUPERVISION)


def test_seeded_history_feeds_the_dashboard(history):
    session, users = history
    summary = seed_history(session, model=history_paths, cases=300, now=NOW, days=120, seed=3)
    session.commit()
    assert summary.cases == 300 and sum(summary.by_process.values()) == 300
    assert summary.events > summary.tasks > summary.cases
    assert session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) == 306
    open_rows = session.scalars(select(HumanTask).where(HumanTask.state == "open",
                                                        HumanTask.spiff_task_id.like("seed-%"))).all()
    assert len(open_rows) == summary.open_tasks
    assert all(t.completed_at is None and t.created_at <= NOW for t in open_rows)
    d = board(history, start=NOW - timedelta(days=120))
    assert sum(c.cases for c in d.by_status) == 300 + 6
    assert {c.process_key for c in d.cycle_times} >= {"complaint_handling", "product_return"}
    assert all(0 <= s.wait_p50 <= s.wait_p90 and 0 <= s.work_p50 <= s.work_p90 for s in d.step_times)
    assert sum(w.started for w in d.weekly) == 306
    # the sequences were moved past the seeded ids (PostgreSQL), so ordinary inserts still work
    extra = ProcessInstance(version_id=session.scalar(select(ProcessVersion.id).limit(1)), process_key="x",
                            started_at=NOW, updated_at=NOW, state="")
    session.add(extra)
    session.commit()
    assert extra.id > 306


def same_figures(rolled, exact, rel=1e-9):
    """Equal, floats within `rel` (the rollups' percentiles are within 5 % of the exact ones)."""
    if isinstance(exact, dict):
        assert rolled.keys() == exact.keys()
        for key in exact:
            same_figures(rolled[key], exact[key], rel)
    elif isinstance(exact, list):
        assert len(rolled) == len(exact), (rolled, exact)
        for a, b in zip(rolled, exact):
            same_figures(a, b, rel)
    elif isinstance(exact, float):
        assert rolled == pytest.approx(exact, rel=rel, abs=1e-6)
    else:
        assert rolled == exact


@pytest.mark.parametrize("user, view", [
    ("director", {}), ("director", {"start": h(36)}), ("director", {"end": h(36)}),
    ("director", {"start": h(30), "end": h(60)}), ("director", {"start": h(2), "end": h(5)}),
    ("director", {"start": T0, "end": h(24 * 30)}), ("director", {"tz": timezone.utc}),
    ("director", {"process": "complaint_handling"}), ("supervisor_east", {}), ("cs_manager", {}),
    ("analyst", {"region": "NORTH"}), ("manager_sh001", {"start": h(36)})])
def test_the_rollups_give_the_figures_of_the_base_tables(history, user, view):
    session, _ = history
    runtime.rebuild_rollups(session, SHANGHAI)
    session.commit()
    tz = view.pop("tz", SHANGHAI)
    same_figures(asdict(board(history, user, tz=tz, zone=SHANGHAI, **view)),
                 asdict(board(history, user, tz=tz, **view)))


def test_the_rollups_of_a_seeded_history_hold_the_percentiles_within_five_percent(history):
    session, _ = history
    seed_history(session, model=history_paths, cases=600, now=NOW, days=200, seed=5)
    runtime.rebuild_rollups(session, SHANGHAI)
    session.commit()
    for view in ({}, {"start": NOW - timedelta(days=90)}, {"start": h(-1000, NOW), "end": h(-200, NOW)}):
        rolled, exact = board(history, zone=SHANGHAI, **view), board(history, **view)
        assert rolled.by_status == exact.by_status and rolled.weekly == exact.weekly
        assert rolled.sla == exact.sla and rolled.open_by_store == exact.open_by_store
        same_figures(asdict(rolled), asdict(exact), rel=0.05)
