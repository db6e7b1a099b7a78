"""What the daily hand-off walks in the browser share: the open steps and state of a case by its
number (read from the server's database), opening a step from 待办, and checking that the people
named are offered none of the case's steps."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select


def open_steps(live_server: Any, key: str) -> list[tuple[int, str, str]]:
    """(task id, element, holder) of the case's open steps."""
    from engine.models import HumanTask, ProcessInstance, User
    from webapp.extensions import db
    with live_server.app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(HumanTask.id, HumanTask.element_id, User.username)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .outerjoin(User, User.id == HumanTask.assignee_id)
            .where(ProcessInstance.business_key == key, HumanTask.state == "open"))]


def case_state(live_server: Any, key: str) -> tuple[str, str | None]:
    """(status, outcome) of the case."""
    from engine.models import ProcessInstance
    from webapp.extensions import db
    with live_server.app.app_context():
        case = db.session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == key)).one()
        return case.status, case.outcome


def only_step(live_server: Any, key: str, element: str, *holders: str | None) -> int:
    """The id of the case's one open step, which must be `element` held by one of `holders`."""
    [(task_id, found, holder)] = open_steps(live_server, key)
    assert found == element and holder in holders, (found, holder)
    return task_id


def from_todo(page: Page, url: str, key: str, task_id: int) -> None:
    """Open the task from the person's 待办, found by the case's number."""
    page.goto(f"{url}/tasks?q={key}")
    page.locator(f'[data-task-id="{task_id}"] .cell-step a').click()
    expect(page).to_have_url(f"{url}/tasks/{task_id}")


def nobody_else_sees(page: Page, pages: Any, url: str, key: str, *usernames: str) -> None:
    for username in usernames:
        pages.sign_in(page, username)
        page.goto(f"{url}/tasks?q={key}")
        expect(page.locator("main")).to_be_visible()
        expect(page.locator("[data-task-id]")).to_have_count(0)
