"""Two tabs of one administrator editing the same form (and the same diagram) of a process's draft in
chromium: the first save goes into the draft; the second, opened before it, is refused with who changed
the file and when, the typed text stays in the editor to copy, and after reopening the file the save
goes through. On a server of its own, so its draft stays out of the other browser tests."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Pages

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EDIT = "/admin/models/complaint_handling/forms/investigate.json/edit"


class OwnServer:
    def __init__(self, app: Any, url: str) -> None:
        self.app, self.url = app, url


@pytest.fixture(scope="module")
def conflict_server(serve, tmp_path_factory) -> Iterator[OwnServer]:
    from webapp import create_app
    from webapp.bootstrap import prepare
    folder = tmp_path_factory.mktemp("draft-conflict")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'conflict.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    with serve(app, "conflict-server") as url:
        yield OwnServer(app, url)


def with_field(page: Page, title: str) -> str:
    form = json.loads(page.locator("#schema-text").input_value())
    form["properties"]["store_photo_note"] = {"type": "string", "title": title, "maxLength": 200}
    return json.dumps(form, ensure_ascii=False, indent=2)


def test_the_second_of_two_saves_of_one_form_gets_the_conflict(conflict_server, desktop, axe,
                                                                screenshot_dir):
    first: Page = desktop
    Pages(conflict_server).sign_in(first, "admin")  # type: ignore[arg-type]
    second = first.context.new_page()  # a second tab, the same administrator
    for page in (first, second):
        page.goto(f"{conflict_server.url}{EDIT}")
    first.locator("#schema-text").fill(with_field(first, "门店照片说明"))
    first.locator("#save-form").click()
    expect(first.locator(".alert-success")).to_contain_text("草稿")
    mine = with_field(second, "我的说明")
    second.locator("#schema-text").fill(mine)
    second.locator("#save-form").click()
    error = second.locator("#save-error")
    expect(error).to_contain_text("您打开 investigate.json 之后，admin 于")
    expect(error).to_contain_text("没有保存任何内容")
    assert json.loads(second.locator("#schema-text").input_value()) == json.loads(mine)  # kept to copy
    axe.check(second)
    second.screenshot(path=screenshot_dir / "draft-file-conflict.png", full_page=True)
    stored = second.request.get(f"{conflict_server.url}/admin/models/complaint_handling/draft/files/"
                                "investigate.json").text()
    assert "门店照片说明" in stored and "我的说明" not in stored
    error.get_by_role("link").click()  # reopen the file: the first tab's change is there
    expect(second).to_have_url(re.compile(r"/forms/investigate\.json/edit$"))
    assert "门店照片说明" in second.locator("#schema-text").input_value()
    second.locator("#schema-text").fill(mine)
    second.locator("#save-form").click()
    expect(second.locator(".alert-success")).to_contain_text("草稿")
    # the first tab's page was shown the draft before this save: its publish is refused, naming the file
    first.locator("#publish-draft").click()
    expect(first.locator("#draft-error")).to_contain_text("草稿又被修改过（investigate.json）")
    first.locator("#publish-draft").click()  # the page now shows the draft as it is
    expect(first.locator(".alert-success")).to_contain_text("草稿已发布为第 2 版")


def test_the_second_of_two_modeler_saves_gets_the_conflict_and_keeps_the_diagram(conflict_server, desktop):
    from tests.browser.modeler_steps import open_modeler, select
    first: Page = desktop
    Pages(conflict_server).sign_in(first, "admin")  # type: ignore[arg-type]
    second = first.context.new_page()
    for page in (first, second):
        open_modeler(page, conflict_server.url, "complaint_handling")
    for page, hours in ((first, "36"), (second, "12")):
        select(page, "investigate_store")
        page.fill("#prop-dueInHours", hours)
        page.press("#prop-dueInHours", "Tab")
    first.click("#modeler-save")
    expect(first.locator("#modeler-message")).to_contain_text("草稿")
    second.click("#modeler-save")
    message = second.locator("#modeler-message")
    expect(message).to_contain_text("您打开 complaint_handling.bpmn 之后，admin 于")
    expect(second.locator("#prop-dueInHours")).to_have_value("12")  # the diagram as edited stays
    stored = second.request.get(f"{conflict_server.url}/admin/models/complaint_handling/draft/files/"
                                "complaint_handling.bpmn").text()
    assert 'name="dueInHours" value="36"' in stored
    # the first page saves again, on top of its own save (the revision its save answered)
    first.fill("#prop-dueInHours", "48")
    first.press("#prop-dueInHours", "Tab")
    first.evaluate("document.getElementById('modeler-message').textContent = ''")
    first.click("#modeler-save")
    expect(first.locator("#modeler-message")).to_contain_text("已保存到")
    stored = first.request.get(f"{conflict_server.url}/admin/models/complaint_handling/draft/files/"
                               "complaint_handling.bpmn").text()
    assert 'name="dueInHours" value="48"' in stored
