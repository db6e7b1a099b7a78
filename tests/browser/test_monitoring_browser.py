"""Supervisor monitoring in chromium: the case page draws the case's BPMN diagram with bpmn-js (an
SVG, the waiting step marked, the path taken), the case list selects cases for a bulk action, and
the dashboard draws its ECharts charts. Screenshots go to test-output/screenshots/.

These pages get their own server and database (the shared `live_server` serves the employee
tests, whose task lists a seeded history of a few hundred cases would upset); the chromium is the
shared `browser`.
"""
from __future__ import annotations

import re
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from webapp import create_app
from webapp.bootstrap import prepare

pytestmark = pytest.mark.browser

COMPLAINT = {"customer_name": "周女士", "customer_phone": "13900001111", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "试衣间排队半小时无人处理。",
             "amount_claimed": 0}
INVESTIGATION = {"findings": "周末人手不足", "root_cause": "排班不合理", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "调整周末排班并致电致歉"}


class Server:
    def __init__(self, app, url: str) -> None:
        self.app, self.url = app, url

    def run(self, fn):  # type: ignore[no-untyped-def]
        from webapp.extensions import db, engine
        with self.app.app_context():
            result = fn(engine(), db.session)
            db.session.commit()
            return result


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from engine.models import User
    return session.query(User).filter_by(username=username).one()


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("monitoring")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'monitoring.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    with serve(app, "monitoring-server") as url:
        server = Server(app, url)

        def history(engine, session):  # type: ignore[no-untyped-def]
            from engine import runtime
            from workflows import history_paths
            from workflows.history_seed import seed_history
            summary = seed_history(session, model=history_paths, cases=600, now=engine.clock(), days=120,
                                   seed=5, catalogue=engine.catalogue)
            runtime.rebuild_rollups(session, engine.zone)  # the history is written behind the commands
            return summary
        server.run(history)
        yield server


def login(page: Page, server: Server, username: str) -> None:
    page.goto("about:blank")  # the last page's scripts stop before its cookies go
    page.context.clear_cookies()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/tasks"))


def test_case_page_draws_the_diagram_with_the_waiting_step_marked(server, desktop, phone, screenshot_dir):
    def make_case(engine, session):  # type: ignore[no-untyped-def]
        case = engine.start(session, "complaint_handling", _user(session, "cs_li"), COMPLAINT)
        return case.id

    case_id = server.run(make_case)
    page = desktop
    login(page, server, "supervisor_east")
    page.goto(f"{server.url}/instances/{case_id}")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-rendered", "true", timeout=15000)
    assert diagram.locator("svg").count() >= 1
    current = diagram.locator('.djs-element.of-current[data-element-id="investigate_store"]')
    expect(current).to_have_count(1)
    assert diagram.locator('.djs-element.of-done[data-element-id="triage"]').count() == 1
    assert diagram.locator(".djs-connection.of-path").count() >= 3
    expect(page.locator("#supervisor-actions")).to_be_visible()
    expect(page.locator("#open-steps [data-task-id]")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "monitoring-case-page.png"), full_page=True)

    phone_page = phone
    login(phone_page, server, "supervisor_east")
    phone_page.goto(f"{server.url}/instances/{case_id}")
    expect(phone_page.locator("#case-diagram")).to_have_attribute("data-rendered", "true", timeout=15000)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.evaluate("window.innerWidth")
    phone_page.screenshot(path=str(screenshot_dir / "monitoring-case-page-phone.png"), full_page=True)


def test_overdue_step_and_path_after_a_completed_step(server, desktop, screenshot_dir):
    def make_case(engine, session):  # type: ignore[no-untyped-def]
        manager = _user(session, "manager_sh001")
        case = engine.start(session, "complaint_handling", _user(session, "cs_li"), COMPLAINT)
        task = case.open_tasks[0].id
        engine.claim(session, task, manager)
        after = engine.complete(session, task, manager, INVESTIGATION)
        from datetime import timedelta

        from engine.models import HumanTask
        row = session.get(HumanTask, after.open_tasks[0].id)
        row.due_at = engine.clock() - timedelta(hours=3)  # the follow-up is late
        return case.id

    case_id = server.run(make_case)
    page = desktop
    login(page, server, "cs_manager")
    page.goto(f"{server.url}/instances/{case_id}")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-rendered", "true", timeout=15000)
    expect(diagram.locator('.djs-element.of-overdue[data-element-id="customer_follow_up"]')).to_have_count(1)
    assert diagram.locator('.djs-element.of-done[data-element-id="investigate_store"]').count() == 1
    flow = "flow_investigate_store_to_investigation_done"
    assert diagram.locator(f'.djs-connection.of-path[data-element-id="{flow}"]').count() == 1
    page.screenshot(path=str(screenshot_dir / "monitoring-case-overdue.png"), full_page=True)


def test_case_list_selects_cases_for_a_bulk_action(server, desktop, screenshot_dir):
    page = desktop
    login(page, server, "director")
    page.goto(f"{server.url}/instances?status=running&sort=due")
    rows = page.locator("[data-case-id]")
    assert rows.count() >= 5
    submit = page.locator("#bulk-submit")
    expect(submit).to_be_disabled()
    page.check("#case-select-all")
    expect(page.locator("[data-case-selected-count]")).to_have_text(str(rows.count()))
    expect(submit).to_be_enabled()
    page.select_option("#bulk-action", "reassign")
    expect(page.locator("[data-bulk-assignee]")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "monitoring-case-list.png"), full_page=False)


def test_dashboard_draws_its_charts(server, desktop, screenshot_dir):
    page = desktop
    login(page, server, "director")
    page.goto(f"{server.url}/dashboard?period=all")
    chart = page.locator('[data-chart="step_times"]')
    expect(chart).to_have_attribute("data-rendered", "true", timeout=15000)
    for key in ("open_by_role", "open_by_store", "by_status", "cycle_times", "step_times", "sla", "weekly"):
        chart = page.locator(f'[data-chart="{key}"]')
        expect(chart).to_have_attribute("data-rendered", "true")
        assert chart.locator("canvas, svg").count() >= 1, key
    page.click("#card-step_times summary")
    expect(page.locator("#table-step_times")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "monitoring-dashboard.png"), full_page=True)


# Where ECharts drew one bar or point, in page pixels (the chart is a canvas: nothing to click by selector).
ITEM_CENTRE = """([key, series, index]) => {
    const node = document.querySelector(`[data-chart="${key}"]`);
    const chart = echarts.getInstanceByDom(node);
    const data = chart.getModel().getSeriesByIndex(series).getData();
    const layout = data.getItemLayout(index);  // a bar's rectangle; a line's points have none
    const box = node.getBoundingClientRect();
    const [x, y] = layout ? [layout.x + layout.width / 2, layout.y + layout.height / 2]
        : chart.convertToPixel({seriesIndex: series}, [index, data.get(data.mapDimension("y"), index)]);
    return [box.left + x, box.top + y];
}"""


@pytest.mark.parametrize("key", ["by_status", "open_by_store", "weekly"])
def test_clicking_a_chart_lands_on_the_case_list_filtered_to_it(server, desktop, screenshot_dir, key):
    page = desktop
    login(page, server, "director")
    page.goto(f"{server.url}/dashboard?period=all")
    chart = page.locator(f'[data-chart="{key}"]')
    expect(chart).to_have_attribute("data-rendered", "true", timeout=15000)
    data = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")[key]
    series, index = next((s, i) for s, line in enumerate(data["series"]) for i, link in
                         enumerate(line.get("links", [])) if link and line["data"][i])
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(ITEM_CENTRE, [key, series, index])
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/cases\?"))
    expected = data["series"][series]["links"][index]
    assert page.url.endswith(expected), (page.url, expected)
    rows = page.locator("[data-case-id]")
    expect(rows.first).to_be_visible()
    if key != "open_by_store":  # stores count open steps, and a case may wait on several
        assert rows.count() == min(25, data["series"][series]["data"][index])
    page.screenshot(path=str(screenshot_dir / f"dashboard-drill-{key}.png"), full_page=False)
