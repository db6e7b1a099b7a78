"""Every page in chromium under the Content-Security-Policy (issue 9, finding 7): nothing refused
(the `desktop` and `phone` fixtures collect every violation, see conftest.py) and the interactive
parts still work: the case diagram, the dashboard charts and their tooltips, rows added and removed,
the language switch, the menu on a phone, bulk selection and confirmed bulk actions."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Functions, not expressions: Playwright re-evaluates an expression string with eval while it polls,
# which the policy refuses (script-src without 'unsafe-eval').
DRAWN = ("() => !document.querySelector("
         "'#case-diagram:not([data-rendered]), [data-chart]:not([data-rendered]):not(.d-none)')")
COMPLAINT = {"customer_name": "柯女士", "customer_phone": "13900003333", "store_code": "NJ01",
             "channel": "store", "category": "service", "description": "试衣间灯坏了，没人处理。",
             "amount_claimed": 0}


def test_every_page_is_served_with_the_policy_and_nothing_is_refused(live_server, pages, desktop,
                                                                   csp_violations, walk_routes):
    page: Page = desktop
    routes = [(rule, url) for rule, url in walk_routes(live_server.app) if not rule.startswith("/static/")]
    seen: dict[str, list[str]] = {url: [] for _, url in routes}
    error_pages: set[int] = set()
    for who in ("director", "admin", "cs_li"):  # each page as the first of them who may open it
        pages.sign_in(page, who)
        for rule, url in routes:
            if "done" in seen[url]:
                continue
            response = page.request.get(live_server.url + url)  # the browser's cookies, no rendering
            assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), url
            seen[url].append(f"{who}: {response.status}")
            if "text/html" not in response.headers.get("content-type", ""):
                seen[url].append("done")  # data and files: chromium's own viewers are not our pages
                continue
            if response.status != 200 and response.status in error_pages:
                continue
            error_pages.add(response.status)
            shown = page.goto(live_server.url + url)
            assert shown is not None and shown.status == response.status, url
            page.wait_for_function(DRAWN, timeout=15_000)  # diagrams and charts drawn
            if shown.status == 200:
                seen[url].append("done")
    assert not csp_violations
    assert not [f"{url}: {marks}" for url, marks in seen.items() if "done" not in marks]


def test_case_diagram_and_dashboard_charts_work(live_server, pages, desktop, csp_violations):
    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    page: Page = desktop
    pages.sign_in(page, "director")
    page.goto(f"{live_server.url}/instances/{case['id']}")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(diagram.locator('.djs-element.of-current[data-element-id="investigate_store"]')).to_have_count(1)
    viewport = diagram.locator("svg g.viewport")
    before = viewport.get_attribute("transform")
    diagram.scroll_into_view_if_needed()  # the timeline above it grows with each event
    box = diagram.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2 - 40, steps=5)
    page.mouse.up()
    expect(viewport).not_to_have_attribute("transform", before or "")  # dragged: the viewer is live

    page.goto(f"{live_server.url}/dashboard?period=all")
    chart = page.locator('[data-chart="by_status"]')
    expect(chart).to_have_attribute("data-rendered", "true", timeout=15_000)
    chart.scroll_into_view_if_needed()
    page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('[data-chart="by_status"]'))
                     .on('showTip', () => { window.tooltipShown = true; })""")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.wait_for_function("() => window.tooltipShown === true")
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2, steps=3)
    assert not csp_violations


def test_forms_switches_and_bulk_actions_work(live_server, pages, desktop, csp_violations):
    page: Page = desktop
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/processes/product_return")
    rows = page.locator("#f-items [data-rows-list] > [data-row]")
    count = rows.count()
    page.click("#f-items [data-add-row]")
    expect(rows).to_have_count(count + 1)
    expect(rows.last.locator("[data-row-number]")).to_have_text(str(count + 1))
    rows.last.locator("[data-remove-row]").click()
    expect(rows).to_have_count(count)

    page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.set_viewport_size({"width": 390, "height": 844})
    page.click(".navbar-toggler")
    expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))
    page.set_viewport_size({"width": 1280, "height": 900})

    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    pages.sign_in(page, "director")
    page.goto(f"{live_server.url}/instances?status=running")
    page.check(f"#case-{case['id']}")
    expect(page.locator("[data-case-selected-count]")).to_have_text("1")
    page.select_option("#bulk-action", "suspend")
    page.fill("#bulk-reason", "CSP check")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#bulk-submit")
    expect(page.locator(f"#case-{case['id']}")).to_be_checked()  # not sent: the confirmation was refused
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#bulk-submit")
    expect(page.locator(".alert-success")).to_be_visible()
    assert not csp_violations
