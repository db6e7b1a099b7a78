"""The supervisor dashboard through the test client: who may open it, figures against a small
history with known times (each also in its table and in the chart data), every filter, a seeded
history of a few hundred cases, and the `opsflow seed-history` and `opsflow rollups rebuild` commands."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import runtime
from engine.directory.accounts import upsert_store
from engine.models import ProcessInstance, RollupCell, User
from webapp.cli import main
from webapp.extensions import db, engine
from workflows import history_paths
from workflows.history_seed import seed_history

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
INVESTIGATION = {"findings": "店员未按流程收银", "root_cause": "新员工培训不足", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "店长致电致歉并赠送优惠券"}
RETURN = {"store_code": "NJ01", "return_type": "overstock", "reason": "季末积压",
          "items": [{"sku": "SKU-1001", "name": "春季针织衫", "quantity": 10, "unit_price": 199}]}


class Story:
    """Drive cases through the engine with the app's frozen clock."""

    def __init__(self, app, clock) -> None:
        self.app, self.clock = app, clock

    def user(self, name: str) -> User:
        return db.session.query(User).filter_by(username=name).one()

    def start(self, who: str, process: str, data: dict) -> dict:
        with self.app.app_context():
            view = engine().start(db.session, process, self.user(who), data)
            db.session.commit()
            return view.to_dict()

    def claim(self, who: str, task_id: int) -> None:
        with self.app.app_context():
            engine().claim(db.session, task_id, self.user(who))
            db.session.commit()

    def complete(self, who: str, task_id: int, data: dict) -> dict:
        with self.app.app_context():
            view = engine().complete(db.session, task_id, self.user(who), data)
            db.session.commit()
            return view.to_dict()


@pytest.fixture
def story(app, app_clock):
    """t0: complaint A (SH001) — its only manager has it at once (her claim after 2 h changes nothing),
    investigated 6 h after it opened; follow-up taken after 1 h, done in
    3 h: the case ends at t0+10 h. t0+1 h: complaint B (SH002) and a return (NJ01) stay open. The
    dashboard is read at t0+30 h, when both open steps are past their 24 h due time."""
    s = Story(app, app_clock)
    a = s.start("cs_li", "complaint_handling", COMPLAINT)
    app_clock.advance(hours=1)
    s.start("cs_li", "complaint_handling", {**COMPLAINT, "store_code": "SH002"})
    s.start("franchisee_nj01", "product_return", RETURN)
    investigate = a["open_tasks"][0]["id"]
    app_clock.advance(hours=1)
    s.claim("manager_sh001", investigate)
    app_clock.advance(hours=4)
    follow_up = s.complete("manager_sh001", investigate, INVESTIGATION)["open_tasks"][0]
    assert follow_up["element_id"] == "customer_follow_up"
    app_clock.advance(hours=1)
    s.claim("cs_li", follow_up["id"])
    app_clock.advance(hours=3)
    done = s.complete("cs_li", follow_up["id"], {"customer_satisfied": True, "feedback": "满意"})
    assert done["status"] == "completed"
    app_clock.advance(hours=20)
    return s


def table(html: str, key: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="table-{key}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def numbers(cells: list[str]) -> list[str]:
    return [re.sub(r"[^0-9.]", "", c) for c in cells]


def charts(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html,
                                re.S).group(1))


def page(client, query: str = "") -> str:
    response = client.get(f"/dashboard{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_only_supervisors_and_readers_open_the_dashboard(client, auth):
    assert client.get("/dashboard").status_code == 302
    for user in ("cs_li", "merch_zhao", "finance_wu"):
        auth.login(user)
        assert client.get("/dashboard").status_code == 403
        auth.logout()
    for user in ("director", "admin", "supervisor_east", "cs_manager", "analyst_zheng", "manager_sh001",
                 "franchisee_nj01"):
        auth.login(user)
        assert client.get("/dashboard").status_code == 200
        auth.logout()


def test_figures_match_the_story(client, auth, story):
    auth.login("director")
    html = page(client)
    assert re.search(r'data-kpi="open">2<', html) and re.search(r'data-kpi="overdue">2<', html)
    assert re.search(r'data-kpi="started">3<', html) and re.search(r'data-kpi="finished">1<', html)
    roles = {r[0]: r[1:] for r in table(html, "open_by_role")}
    # SH002's only manager holds her step (not "not taken"); the two agents' review waits in the pool
    assert roles == {"店长": ["1", "1", "0"], "客服专员": ["1", "1", "1"]}
    stores = {r[0].split()[0]: r[1:] for r in table(html, "open_by_store")}
    assert stores == {"SH002": ["1", "1", "0"], "NJ01": ["1", "1", "1"]}
    [cycle] = table(html, "cycle_times")
    assert numbers(cycle[1:]) == ["1", "10.0", "10.0", "10.0"]
    steps = {r[0]: r[3:] for r in table(html, "step_times")}
    assert {r[0]: r[1] for r in table(html, "step_times")}["投诉调查与处理方案"] == "店长"
    # SH001's only manager held the investigation from the start: no wait to be taken, 6 h of work
    assert numbers(steps["投诉调查与处理方案"]) == ["1", "0.0", "0.0", "6.0", "6.0"]
    assert numbers(steps["客户回访"]) == ["1", "1.0", "1.0", "3.0", "3.0"]
    sla = {r[0]: r[3:] for r in table(html, "sla")}
    assert sla["投诉调查与处理方案"] == ["1", "1", "0", "100.0%", "1"]  # B is late now
    assert sla["客服审核"][-1] == "1"  # overdue right now, nothing completed yet
    status = {(r[0], r[1]): r[2] for r in table(html, "by_status")}
    assert sum(int(v) for v in status.values()) == 3
    data = charts(html)
    assert set(data) == {"open_by_role", "open_by_store", "by_status", "cycle_times", "step_times", "sla",
                         "weekly"}
    assert data["step_times"]["labels"][0].startswith("投诉调查与处理方案")
    waiting, working = data["step_times"]["series"]
    assert (waiting["data"][0], working["data"][0]) == (0.0, 6.0)
    assert data["cycle_times"]["series"][0]["data"] == [0.4]  # 10 h in days
    assert sum(data["weekly"]["series"][0]["data"]) == 3
    assert 'id="chart-step_times"' in html and "echarts.min.js" in html and "dashboard.js" in html


def test_filters_by_process_region_and_period(app, client, auth, story, app_clock):
    auth.login("director")
    returns = page(client, "?process=product_return")
    assert table(returns, "cycle_times")[0][0] != "客户投诉处理"  # the "no case completed" row
    assert [r[0] for r in table(returns, "open_by_role")] == ["客服专员"]
    with app.app_context():
        upsert_store(db.session, "BJ001", "北京王府井店", region="NORTH")
        db.session.commit()
    north = page(client, "?region=NORTH")
    assert re.search(r'data-kpi="open">0<', north) and re.search(r'data-kpi="started">0<', north)
    today = app_clock().date()
    old = page(client, f"?start={today - timedelta(days=400)}&end={today - timedelta(days=300)}")
    assert re.search(r'data-kpi="started">0<', old)
    assert re.search(r'data-kpi="open">2<', old)  # open tasks are counted as of now
    assert re.search(r'data-kpi="started">3<', page(client, "?period=30"))
    assert re.search(r'data-kpi="started">3<', page(client, "?period=all&process=&region="))
    assert 'value="90" selected' in page(client, "?period=bogus&start=nonsense")


def test_each_supervisor_counts_their_own_cases(client, auth, story, app):
    with app.app_context():
        upsert_store(db.session, "BJ001", "北京王府井店", region="NORTH")
        db.session.commit()
    story.start("cs_li", "complaint_handling", {**COMPLAINT, "store_code": "BJ001"})
    auth.login("supervisor_east")
    assert re.search(r'data-kpi="open">2<', page(client))  # not the new NORTH complaint
    auth.logout()
    auth.login("cs_manager")
    assert re.search(r'data-kpi="open">3<', page(client))  # every complaint and return
    auth.logout()
    auth.login("director")
    assert re.search(r'data-kpi="open">3<', page(client))


def test_a_seeded_history_fills_the_dashboard_and_the_case_list(app, client, auth, app_clock):
    with app.app_context():
        summary = seed_history(db.session, model=history_paths, cases=400, now=app_clock(), days=120, seed=11,
                               catalogue=engine().catalogue)
        runtime.rebuild_rollups(db.session, engine().zone)  # written behind the commands' back
        db.session.commit()
        seeded = db.session.scalar(select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(1))
    assert summary.cases == 400
    auth.login("director")
    html = page(client, "?period=all")
    data = charts(html)
    assert len(data["step_times"]["labels"]) >= 10 and len(data["weekly"]["labels"]) >= 15
    assert re.search(r'data-kpi="started">400<', html)
    listing = client.get("/cases?per_page=100").get_data(as_text=True)
    assert len(re.findall(r'data-case-id="\d+"', listing)) == 100
    case_page = client.get(f"/cases/{seeded.id}").get_data(as_text=True)
    assert "seeded" in case_page.lower() or "历史" in case_page
    assert seeded.business_key.startswith(tuple(f"{p}-" for p in history_paths.PREFIXES.values()))


def test_seed_history_command(tmp_path):
    def run(*args: str, **env: str):
        base = {"OPSFLOW_CONFIG": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'seed.sqlite'}",
                "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_DEMO": None, "SECRET_KEY": None}
        return CliRunner().invoke(main, list(args), env={**base, **env}, catch_exceptions=False)

    result = run("seed-history", "--cases", "120", "--days", "60")
    assert result.exit_code == 0, result.output
    assert re.search(r"seeded 120 cases", result.output)
    refused = run("seed-history", "--cases", "5", OPSFLOW_DEMO="0")
    assert refused.exit_code != 0 and "demo mode" in refused.output
    from engine.db import make_sessions, make_sql_engine
    sql_engine = make_sql_engine(f"sqlite:///{tmp_path / 'seed.sqlite'}")
    with make_sessions(sql_engine)() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 120
        # the seeded cases are in the rollups too, and a rebuild counts them the same
        started = select(func.sum(RollupCell.n)).where(RollupCell.measure == "started")
        assert session.scalar(started) == 120
        cells = session.scalar(select(func.count()).select_from(RollupCell))
    rebuilt = run("rollups", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert re.search(rf"rebuilt {cells} rollup cells in [0-9.]+ s \(days in Asia/Shanghai\)", rebuilt.output)
    sql_engine.dispose()


def test_starting_on_a_database_without_rollups_counts_its_cases(app, app_clock):
    """An upgrade: the cases are there, the rollup table is new (empty); starting counts them."""
    from webapp.bootstrap import init_db
    with app.app_context():
        seed_history(db.session, model=history_paths, cases=50, now=app_clock(), days=30, seed=4,
                     catalogue=engine().catalogue)
        db.session.execute(RollupCell.__table__.delete())
        db.session.commit()
    init_db(app)
    with app.app_context():
        started = select(func.sum(RollupCell.n)).where(RollupCell.measure == "started")
        cases = db.session.scalar(select(func.count()).select_from(ProcessInstance))
        assert db.session.scalar(started) == cases


def test_a_rolling_period_is_whole_days_of_the_business_zone():
    """“Last 90 days” starts at midnight in the zone, 90 days before today: the same days the case list
    it drills into counts, and whole days of the rollups (no part-day read from the base tables)."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from webapp.dashboard.charts import BoardParams
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 12, 2, 16, 34, tzinfo=timezone.utc)  # 00:34 on 12/3 in Shanghai
    f = BoardParams(period="90").dashboard_filter(now, shanghai)
    assert f.start == datetime(2026, 9, 4, tzinfo=shanghai) and f.end is None
    assert BoardParams(period="all").dashboard_filter(now, shanghai).start is None
