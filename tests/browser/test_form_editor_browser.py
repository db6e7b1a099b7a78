"""The form editor and the decision table editor in chromium, as an administrator: a field added to
a step's form appears in the preview at desktop and phone width, goes into the process's draft and is
published as a new version; a threshold changed in a dmn-js decision table likewise becomes the next
one. Both on a server of their own, so the new versions stay out of the other browser tests."""
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
FORM = REPO / "workflows" / "forms" / "complaint_handling" / "investigate.json"
BASE = "/admin/models/complaint_handling"


class OwnServer:
    def __init__(self, app: Any, url: str) -> None:
        self.app, self.url = app, url


@pytest.fixture(scope="module")
def editor_server(serve, tmp_path_factory) -> Iterator[OwnServer]:
    from webapp import create_app
    from webapp.bootstrap import prepare
    folder = tmp_path_factory.mktemp("editors")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'editors.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    with serve(app, "editor-server") as url:
        yield OwnServer(app, url)


def stored(page: Page, server: OwnServer, version: int, name: str) -> str:
    return page.request.get(f"{server.url}{BASE}/{version}/files/{name}").text()


def test_a_field_added_to_a_form_is_previewed_at_both_widths_and_saved(editor_server, desktop, axe,
                                                                         screenshot_dir):
    page: Page = desktop
    Pages(editor_server).sign_in(page, "admin")  # type: ignore[arg-type]
    page.goto(f"{editor_server.url}{BASE}")
    page.locator('a[data-edit="investigate.json"]').click()
    expect(page).to_have_url(re.compile(r"/forms/investigate\.json/edit$"))
    expect(page.locator("#preview-desktop")).to_have_attribute("data-rendered", "0")
    axe.check(page)
    form = json.loads(page.locator("#schema-text").input_value())
    form["properties"]["store_photo_note"] = {"type": "string", "title": "门店照片说明", "maxLength": 200}
    page.locator("#schema-text").fill(json.dumps(form, ensure_ascii=False, indent=2))
    desktop_field = page.locator('#preview-desktop [name="store_photo_note"]')
    expect(desktop_field).to_be_visible()
    expect(page.locator('#preview-desktop label[for="f-store_photo_note"]')).to_have_text("门店照片说明")
    assert page.locator("#preview-desktop").bounding_box()["width"] > 600
    page.locator('label[for="width-phone"]').click()
    expect(desktop_field).to_be_hidden()
    phone_field = page.locator('#preview-phone [name="phone-store_photo_note"]')
    expect(phone_field).to_be_visible()
    expect(page.locator('#preview-phone label[for="phone-f-store_photo_note"]')).to_have_text("门店照片说明")
    assert page.locator("#preview-phone").bounding_box()["width"] == 390
    assert phone_field.bounding_box()["width"] < 390
    axe.check(page)
    page.screenshot(path=screenshot_dir / "form-editor-phone-preview.png", full_page=True)
    # a typing slip is named while typing, with its line and column, and the last good preview stays
    page.locator("#schema-text").fill('{"type": "object",\n "properties": {]}')
    expect(page.locator("#schema-problem")).to_contain_text("第 2 行第 17 列")
    expect(page.locator("#schema-text")).to_have_class(re.compile(r"is-invalid"))
    expect(phone_field).to_be_visible()
    page.locator("#schema-text").fill(json.dumps(form, ensure_ascii=False, indent=2))
    expect(page.locator("#schema-problem")).to_have_text("")
    page.locator("#save-form").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿")
    expect(page.locator('#draft-panel [data-file="investigate.json"]')).to_be_visible()
    page.locator("#publish-draft").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿已发布为第 2 版")
    assert json.loads(stored(page, editor_server, 2, "investigate.json"))["properties"]["store_photo_note"]


def test_a_threshold_changed_in_the_decision_table_is_saved(editor_server, desktop, axe, screenshot_dir):
    page: Page = desktop
    Pages(editor_server).sign_in(page, "admin")  # type: ignore[arg-type]
    page.goto(f"{editor_server.url}{BASE}")
    page.locator('a[data-edit="compensation_approval.dmn"]').click()
    expect(page.locator("#decision-editor")).to_have_attribute("data-rendered", "true", timeout=15_000)
    cell = page.locator('#decision-editor td[data-element-id="compensation_approval_rule_1_in_1"]')
    expect(cell).to_have_text("> 500")
    expect(page.locator("#decision-editor .hit-policy .dms-label")).to_have_text("命中策略：")  # in Chinese
    axe.check(page)
    version = int(page.locator('input[name="version"]').input_value())
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("> 800")
    expect(cell).to_have_text("> 800")
    page.screenshot(path=screenshot_dir / "decision-editor-edited.png", full_page=True)
    page.locator("#save-decision").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿")
    expect(page.locator('#decision-editor td[data-element-id="compensation_approval_rule_1_in_1"]')
           ).to_have_text("> 800", timeout=15_000)  # the draft's copy opens
    page.locator("#publish-draft").click()
    expect(page.locator(".alert-success")).to_contain_text(f"草稿已发布为第 {version + 1} 版")
    saved = stored(page, editor_server, version + 1, "compensation_approval.dmn")
    assert "&gt; 800" in saved and "&gt; 500" not in saved.split("compensation_approval_rule_2")[0]
    page.locator('a[data-edit="compensation_approval.dmn"]').click()
    expect(page.locator("#decision-editor")).to_have_attribute("data-rendered", "true", timeout=15_000)
    # a refused cell comes back named, in Chinese, and nothing is stored
    cell = page.locator('#decision-editor td[data-element-id="compensation_approval_rule_1_in_1"]')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("> 800 )")
    page.locator("#save-decision").click()
    expect(page.locator("#save-error")).to_contain_text("未保存")
    expect(page.locator("#save-error")).to_contain_text("规则 1")
    next_version = f"{editor_server.url}{BASE}/{version + 2}/files/compensation_approval.dmn"
    assert page.request.get(next_version).status == 404


def test_a_draft_is_discarded_only_when_the_administrator_says_so(editor_server, desktop):
    page: Page = desktop
    Pages(editor_server).sign_in(page, "admin")  # type: ignore[arg-type]
    page.goto(f"{editor_server.url}{BASE}/forms/investigate.json/edit")
    form = json.loads(page.locator("#schema-text").input_value())
    form["properties"]["discarded_note"] = {"type": "string", "title": "作废说明", "maxLength": 50}
    page.locator("#schema-text").fill(json.dumps(form, ensure_ascii=False, indent=2))
    page.locator("#save-form").click()
    expect(page.locator('#draft-panel [data-file="investigate.json"]')).to_be_visible()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#discard-draft").click()
    expect(page.locator("#draft-panel")).to_be_visible()  # "no": the draft stays
    assert asked and "所有管理员的修改都将丢失" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#discard-draft").click()
    expect(page.locator(".alert-info")).to_contain_text("草稿已放弃")
    expect(page.locator("#draft-panel")).to_have_count(0)
    page.goto(f"{editor_server.url}{BASE}/forms/investigate.json/edit")
    assert "discarded_note" not in page.locator("#schema-text").input_value()
