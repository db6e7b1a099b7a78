"""A season's store inspection end to end in chromium on a 390 px phone, on a server and database of its
own (the season's cases must not reach the other browser tests' task lists): the background runner,
on a frozen clock at 09:00 on 1 December (开季), starts one 店铺巡检 per open store; 孙督导 fills SH001's
checklist on her phone with an item below standard; 张店长 opens the 整改 from 待办 and rectifies it;
孙督导 re-checks it from 待办 and the case closes. Nobody else is offered a step of it."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from .handoff_walks import nobody_else_sees as _nobody_else_sees

pytestmark = pytest.mark.browser

SEASON_START = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 on 1 December in Shanghai
OTHERS = ("supervisor_east", "manager_sh002", "franchisee_nj01", "merch_zhao")


@pytest.fixture(scope="module")
def season(tmp_path_factory, serve) -> Iterator[SimpleNamespace]:
    """The server (url, app) after the runner fired the winter season's start."""
    from engine.clock import FrozenClock
    from webapp import create_app
    from webapp.background import background_runner
    from webapp.bootstrap import prepare

    folder = tmp_path_factory.mktemp("season")
    clock = FrozenClock()
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'season.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True, CLOCK=clock)
    prepare(app)
    clock.set(SEASON_START)
    assert background_runner(app).run_once()["schedules"] == 5 + 6  # and December's stocktake counts
    with serve(app, "season-server") as url:
        yield SimpleNamespace(url=url, app=app)


def _open_steps(app, store_code: str) -> list[tuple[int, str, str | None]]:
    """(task id, element, assignee) of the open steps of the store's season inspection."""
    from engine.models import HumanTask, ProcessInstance, User
    from webapp.extensions import db
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(HumanTask.id, HumanTask.element_id, User.username)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .outerjoin(User, User.id == HumanTask.assignee_id)
            .where(ProcessInstance.process_key == "store_inspection",
                   ProcessInstance.store_code == store_code, HumanTask.state == "open")
            .order_by(HumanTask.id))]


def _case(app, store_code: str) -> tuple[str, str, str | None]:
    from engine.models import ProcessInstance
    from webapp.extensions import db
    with app.app_context():
        case = db.session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_key == "store_inspection",
            ProcessInstance.store_code == store_code)).one()
        return case.business_key, case.status, case.outcome


def _from_todo(page: Page, url: str, task_id: int) -> None:
    """Open the step from 待办 (the task list), as a person does."""
    page.goto(f"{url}/tasks")
    page.locator(f'[data-task-id="{task_id}"] a[href$="/tasks/{task_id}"]').click()
    expect(page).to_have_url(f"{url}/tasks/{task_id}")


def test_a_season_inspection_on_the_phone(season, pages, phone, screenshot_dir):
    url, app = season.url, season.app
    pages = type(pages)(SimpleNamespace(url=url))  # the same steps, on this module's server
    key, status, _ = _case(app, "SH001")
    assert status == "running"
    [(task_id, element, holder)] = _open_steps(app, "SH001")
    assert (element, holder) == ("inspect", "trainer_sun")
    _nobody_else_sees(phone, pages, url, key, *OTHERS, "manager_sh001")

    # 孙督导 has the season's five stores in 待办 and fills SH001's checklist in the store
    pages.sign_in(phone, "trainer_sun")
    phone.goto(f"{url}/tasks")
    expect(phone.locator("[data-task-id]")).to_have_count(5)
    pages.fits(phone)
    _from_todo(phone, url, task_id)
    expect(phone.locator("main")).to_contain_text("SH001")
    phone.fill("#f-inspection_date", "2026-12-01")
    phone.locator("label[for=f-checklist-0-area-1]").click()  # 陈列
    phone.fill("#f-checklist-0-item", "橱窗按冬季陈列指引布置")
    phone.fill("#f-checklist-0-score", "58")
    phone.locator("label[for=f-checklist-0-passed-2]").click()  # 不合格
    phone.fill("#f-checklist-0-note", "橱窗仍为秋季陈列")
    phone.click("#f-checklist [data-add-row]")
    phone.locator("label[for=f-checklist-1-area-4]").click()  # 服务
    phone.fill("#f-checklist-1-item", "迎宾与试衣服务")
    phone.fill("#f-checklist-1-score", "90")
    phone.locator("label[for=f-checklist-1-passed-1]").click()  # 合格
    phone.fill("#f-inspection_summary", "服务良好，橱窗需按冬季指引更换")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "season-inspect-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 张店长 rectifies the one item below standard from 待办
    [(task_id, element, holder)] = _open_steps(app, "SH001")
    assert (element, holder) == ("rectify", "manager_sh001")
    _nobody_else_sees(phone, pages, url, key, *OTHERS, "trainer_sun")
    pages.sign_in(phone, "manager_sh001")
    _from_todo(phone, url, task_id)
    expect(phone.locator("main")).to_contain_text("橱窗仍为秋季陈列")
    phone.fill("#f-rectification_note", "已按冬季陈列指引更换橱窗")
    phone.fill("#f-rectified_date", "2026-12-02")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "season-rectify-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 孙督导, who inspected (the schedule started the case), re-checks it and it closes
    [(task_id, element, holder)] = _open_steps(app, "SH001")
    assert (element, holder) == ("recheck", "trainer_sun")
    _nobody_else_sees(phone, pages, url, key, *OTHERS, "manager_sh001")
    pages.sign_in(phone, "trainer_sun")
    _from_todo(phone, url, task_id)
    expect(phone.locator("main")).to_contain_text("已按冬季陈列指引更换橱窗")
    phone.locator("label[for=f-recheck_items-0-passed-1]").click()  # 合格
    phone.fill("#f-recheck_date", "2026-12-03")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "season-recheck-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _open_steps(app, "SH001") == []
    assert _case(app, "SH001") == (key, "completed", "completed")
