"""The case page in chromium at 1366×900 and 390×844: the diagram first, fitted to its box and
zoomable, the open steps (overdue in red) and the case actions beside it on a laptop and below it on a
phone, where a bar at the bottom opens the actions; the timeline shows each decision without opening
anything. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import contextlib
import re
from datetime import timedelta
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import watch_policy
from .test_tasks_browser import COMPLAINT

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def open_case_actions(page: Page) -> None:
    """On a phone the case actions wait in a bottom sheet: open it (nothing to do on a laptop)."""
    bar = page.locator("#case-bar-more")
    if bar.is_visible():
        bar.click()
        expect(page.locator("#case-actions")).to_have_class(re.compile(r"\bshow\b"))


def _refused_case(live_server, overdue: bool = False) -> dict:
    """A complaint whose compensation (¥1,399.50) 刘经理 refused with a comment; back at the store's
    investigation, past due when `overdue`."""
    from engine.models import HumanTask, User
    from webapp.extensions import db, engine
    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    with live_server.app.app_context():
        def person(name: str) -> User:
            return db.session.query(User).filter_by(username=name).one()
        [task] = case["open_tasks"]
        view = engine().complete(db.session, task["id"], person("manager_sh001"), {
            "findings": "衣服开线", "root_cause": "质检疏漏", "resolution_type": "compensation",
            "compensation_amount": 1399.5, "resolution_plan": "赔付并致歉"})
        [approval] = [t for t in view.open_tasks if t.element_id == "compensation_approval"]
        engine().complete(db.session, approval.id, person("cs_manager"),
                          {"approved": False, "approval_comment": "金额过高，请与顾客重新协商"})
        if overdue:
            for open_task in db.session.query(HumanTask).filter_by(instance_id=case["id"], state="open"):
                open_task.due_at = engine().clock() - timedelta(hours=3)
        db.session.commit()
    return case


#: What the laptop test reads, in each language.
SAID = {"zh-CN": {"overdue": "已超期", "refused": "审批结果 驳回", "amount": "¥1,399.50", "step": "赔付审批"},
        "en": {"overdue": "Overdue", "refused": "Decision Reject", "amount": "CN¥1,399.50",
               "step": "Approve compensation"}}


@pytest.fixture(params=["zh-CN", "en"])
def laptop(request, browser, csp_violations):
    context = browser.new_context(viewport=LAPTOP, locale=request.param)
    watch_policy(context, csp_violations)
    page = context.new_page()
    page.language = request.param
    yield page
    context.close()
    assert not csp_violations, "the policy refused:\n" + "\n".join(dict.fromkeys(csp_violations))


@pytest.fixture(params=["zh-CN", "en"])
def phone_in(request, browser, csp_violations):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale=request.param)
    watch_policy(context, csp_violations)
    page = context.new_page()
    page.language = request.param
    yield page
    context.close()
    assert not csp_violations, "the policy refused:\n" + "\n".join(dict.fromkeys(csp_violations))


@contextlib.contextmanager
def _speaking(live_server, username: str, language: str) -> Iterator[None]:
    """The demo user's language setting is `language` while the block runs, then as it was."""
    from engine.models import User
    from webapp.extensions import db

    def set_to(value: str | None) -> str | None:
        with live_server.app.app_context():
            user = db.session.query(User).filter_by(username=username).one()
            before, user.locale = user.locale, value
            db.session.commit()
            return before

    before = set_to("en" if language == "en" else "zh_CN")
    try:
        yield
    finally:
        set_to(before)


def _box(page: Page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return box


def _fitted(page: Page) -> None:
    """The whole drawing lies inside the diagram's box (bpmn-js fit-viewport), and fills its width or
    its height."""
    inner = page.evaluate("""() => {
        const r = document.querySelector("#case-diagram svg .viewport").getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height};
    }""")
    outer = _box(page, "#case-diagram")
    slack = 2
    assert inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack, (inner, outer)
    assert inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack, (inner, outer)
    assert inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack, (inner, outer)
    assert inner["width"] >= outer["width"] * .8 or inner["height"] >= outer["height"] * .8, (inner, outer)


# Every visible control of the page smaller than a fingertip (the bpmn.io mark its licence keeps aside).
SMALL_TARGETS = """() => [...document.querySelectorAll(
        "main a, main button, main summary, main select, main input, main textarea, #case-bar .btn")]
    .filter((e) => !e.closest(".bjs-powered-by") && e.checkVisibility({visibilityProperty: true}))
    .filter((e) => { const r = e.getBoundingClientRect();
                     return r.width > 0 && r.height > 0 && (r.height < 44 || r.width < 44); })
    .map((e) => { const r = e.getBoundingClientRect();
                  return `${e.tagName} #${e.id} .${e.className} "${e.textContent.trim().slice(0, 20)}": `
                         + `${Math.round(r.width)}x${Math.round(r.height)}`; })"""


def _zoom(page: Page) -> float:
    return float(page.locator("#case-diagram").get_attribute("data-zoom") or "0")


def test_the_diagram_leads_at_1366_with_the_steps_and_actions_beside_it(live_server, pages, laptop,
                                                                       screenshot_dir):
    page = laptop
    case = _refused_case(live_server, overdue=True)
    with _speaking(live_server, "supervisor_east", page.language):
        _look_at_it_on_a_laptop(live_server, pages, page, case, screenshot_dir)


def _look_at_it_on_a_laptop(live_server, pages, page: Page, case: dict, screenshot_dir) -> None:
    said, name = SAID[page.language], f"case-page-{page.language}-1366"
    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/cases/{case['id']}")
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-rendered", "true", timeout=15000)
    page.screenshot(path=screenshot_dir / f"{name}.png")
    page.screenshot(path=screenshot_dir / f"{name}-full.png", full_page=True)

    box = _box(page, "#case-diagram")
    assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box  # above the fold
    assert box["width"] >= 800, box
    _fitted(page)
    steps, actions = _box(page, "#open-steps"), _box(page, "#supervisor-actions")
    for beside in (steps, actions):  # the right third is used, level with the diagram
        assert beside["x"] >= box["x"] + box["width"] and beside["x"] + beside["width"] >= 1366 * .9, beside
    assert steps["y"] < box["y"] + box["height"] and actions["y"] < LAPTOP["height"], (steps, actions)
    assert _box(page, "#timeline")["y"] > box["y"] + box["height"]  # the timeline under the diagram

    step = page.locator("#open-steps .open-step.is-overdue")
    expect(step).to_have_count(1)
    expect(step.locator("[data-due] .badge")).to_have_text(said["overdue"])
    expect(diagram.locator(".djs-element.of-overdue[data-element-id=investigate_store]")).to_have_count(1)

    for selector in ("#zoom-in", "#zoom-out", "#zoom-fit", "#open-steps .step-focus"):
        target = _box(page, selector)
        assert target["height"] >= 44 and target["width"] >= 44, (selector, target)
    fitted = _zoom(page)
    page.click("#zoom-in")
    assert _zoom(page) == pytest.approx(fitted * 1.25, rel=.01)
    page.click("#zoom-out")
    page.click("#zoom-out")
    assert _zoom(page) == pytest.approx(fitted / 1.25, rel=.01)
    page.click("#zoom-fit")
    assert _zoom(page) == pytest.approx(fitted, rel=.01)
    _fitted(page)

    step.locator(".step-focus").click()
    expect(diagram).to_have_attribute("data-focused", "investigate_store")
    expect(diagram.locator(".djs-element.of-focus[data-element-id=investigate_store]")).to_have_count(1)
    expect(step).to_have_class(re.compile(r"\bis-focused\b"))
    assert _zoom(page) > fitted
    focused = diagram.locator(".djs-element[data-element-id=investigate_store]").bounding_box()
    inside = _box(page, "#case-diagram")
    assert inside["x"] <= focused["x"] and focused["x"] + focused["width"] <= inside["x"] + inside["width"]

    refusal = page.locator("[data-event=task_completed]", has_text=said["step"])
    expect(refusal.locator(".decision-choice.tone-reject")).to_have_text(said["refused"])
    expect(refusal.locator(".decision-amount .num")).to_have_text(said["amount"])
    expect(refusal.locator(".decision-comment")).to_contain_text("金额过高，请与顾客重新协商")
    expect(refusal.locator(".decision-comment")).to_be_visible()
    page.screenshot(path=screenshot_dir / f"{name}-focused.png")
    pages.fits(page)
    pages.unsqueezed(page)
    pages.cells_hold_their_text(page)


def test_the_case_page_on_a_phone(live_server, pages, phone_in, screenshot_dir):
    page = phone_in
    case = _refused_case(live_server)
    with _speaking(live_server, "supervisor_east", page.language):
        _look_at_it_on_a_phone(live_server, pages, page, case, screenshot_dir)


def _look_at_it_on_a_phone(live_server, pages, page: Page, case: dict, screenshot_dir) -> None:
    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/cases/{case['id']}")
    expect(page.locator("#case-diagram")).to_have_attribute("data-rendered", "true", timeout=15000)
    name = f"case-page-{page.language}-390"
    page.screenshot(path=screenshot_dir / f"{name}.png")
    page.screenshot(path=screenshot_dir / f"{name}-full.png", full_page=True)
    pages.fits(page)
    pages.unsqueezed(page)
    pages.cells_hold_their_text(page)
    _fitted(page)
    small = page.evaluate(SMALL_TARGETS)
    assert not small, "tap targets under 44 px:\n" + "\n".join(small)

    order = [_box(page, s)["y"] for s in ("#case-diagram", "#open-steps", "#timeline", "#case-data")]
    assert order == sorted(order), order  # the diagram, then what waits, then the story
    bar = page.locator("#case-bar")
    expect(bar).to_be_visible()
    assert bar.evaluate("e => getComputedStyle(e).position") == "fixed"
    bar_box = _box(page, "#case-bar")
    assert bar_box["y"] + bar_box["height"] == pytest.approx(PHONE["height"], abs=1)
    for button in bar.locator(".btn").all():
        assert button.bounding_box()["height"] >= 44
    expect(page.locator("#supervisor-actions")).not_to_be_visible()  # in the sheet, shut

    open_case_actions(page)
    expect(page.locator("#supervisor-actions")).to_be_visible()
    expect(page.locator("#terminate-button")).to_be_visible()
    page.click("#move-cc summary")
    page.screenshot(path=screenshot_dir / f"{name}-actions.png")
    pages.fits(page)
    small = page.evaluate(SMALL_TARGETS)
    assert not small, "tap targets under 44 px in the sheet:\n" + "\n".join(small)
    page.click("#case-actions .btn-close")
    expect(page.locator("#supervisor-actions")).not_to_be_visible()

    page.click("#case-bar-comment")
    expect(page.locator("#comment-body")).to_be_focused()
    page.fill("#comment-body", "已联系顾客")
    page.click("#comment-submit")
    expect(page.locator("[data-event=comment]").last).to_contain_text("已联系顾客")
    pages.fits(page)

    expect(page.locator("#case-diagram")).to_have_attribute("data-rendered", "true", timeout=15000)
    fitted = _zoom(page)
    page.click("#zoom-in")
    assert _zoom(page) == pytest.approx(fitted * 1.25, rel=.01)
    pages.fits(page)

    page.locator("#open-steps .step-focus").first.scroll_into_view_if_needed()
    page.locator("#open-steps .step-focus").first.tap()  # the step, legible in the middle of the diagram
    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-focused", "investigate_store")
    box, step = _box(page, "#case-diagram"), _box(page, ".djs-element.of-focus")
    assert box["y"] >= 0 and box["x"] <= step["x"] and step["x"] + step["width"] <= box["x"] + box["width"]
    assert box["y"] <= step["y"] and step["y"] + step["height"] <= box["y"] + box["height"]
    page.screenshot(path=screenshot_dir / f"{name}-focused.png")

