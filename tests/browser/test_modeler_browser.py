"""The modeler in chromium, as the demo administrator, on a server and database of its own (it deploys
versions, which the shared server's other tests must not start their cases on): complaint_handling
opened in bpmn-js, a step's properties changed through OpsFlow's panel and saved into the process's
draft (the file keeps every other extension element; the draft's panel appears), then a business rule
task's decision removed: the save is refused, the element marked on the diagram and selected, the
reason in Chinese, nothing stored; undo puts the decision back. On a phone the page does not scroll
sideways."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, Pages

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
EDIT = "/admin/models/complaint_handling/edit"
FILE = "/admin/models/complaint_handling/{version}/files/complaint_handling.bpmn"
DRAFT_FILE = "/admin/models/complaint_handling/draft/files/complaint_handling.bpmn"


@pytest.fixture(scope="module")
def own_server(serve, tmp_path_factory) -> Iterator[LiveServer]:
    from webapp import create_app
    from webapp.bootstrap import prepare
    folder = tmp_path_factory.mktemp("modeler")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'modeler.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    with serve(app, "modeler-server") as url:
        yield LiveServer(app, url)


def properties(xml: str, element: str) -> dict[str, str]:
    node = etree.fromstring(xml.encode("utf-8")).find(f".//*[@id='{element}']")
    return {p.get("name"): p.get("value") for p in node.iter(f"{SPIFF}property")}


def extension_counts(xml: str) -> dict[str, int]:
    """How many of each spiffworkflow element the file holds (properties aside)."""
    counts: dict[str, int] = {}
    for node in etree.fromstring(xml.encode("utf-8")).iter():
        if isinstance(node.tag, str) and node.tag.startswith(SPIFF) and not node.tag.endswith("property"):
            counts[node.tag[len(SPIFF):]] = counts.get(node.tag[len(SPIFF):], 0) + 1
    return counts


def open_modeler(page: Page, server: LiveServer) -> None:
    Pages(server).sign_in(page, "admin")
    page.goto(f"{server.url}{EDIT}")
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-rendered", "true", timeout=20000)


#: the diagram at 100 %, centred on an element (what a person does by scrolling and zooming), so a click
#: reaches it and not the palette
CENTRE_ON = """(id) => {
  const canvas = window.OpsFlowModeler.get("canvas");
  const element = window.OpsFlowModeler.get("elementRegistry").get(id);
  const outer = canvas.viewbox().outer;
  canvas.viewbox({x: element.x + element.width / 2 - outer.width / 2,
                  y: element.y + element.height / 2 - outer.height / 2,
                  width: outer.width, height: outer.height});
}"""


def select(page: Page, element: str) -> None:
    page.evaluate(CENTRE_ON, element)
    page.locator(f'#modeler-canvas .djs-element[data-element-id="{element}"]').first.click()
    expect(page.locator("#panel-id")).to_have_text(element)


def test_a_step_changed_in_the_panel_is_saved_as_version_2_and_a_refusal_is_marked_on_its_element(
        own_server, desktop, screenshot_dir):
    page: Page = desktop
    original = (REPO / "bpmn" / "complaint_handling.bpmn").read_text("utf-8")
    open_modeler(page, own_server)
    expect(page.locator("#modeler-save")).to_be_enabled()
    expect(page.locator("#panel-id")).to_have_text("complaint_handling")  # nothing selected: the process
    expect(page.locator("#prop-name")).to_have_value("客户投诉处理")
    expect(page.locator("[data-field=titleTemplate]")).to_be_visible()
    page.evaluate("""(id) => window.OpsFlowModeler.get("selection").select(
                       window.OpsFlowModeler.get("elementRegistry").get(id))""", "lane_cs_manager")
    expect(page.locator("#prop-role")).to_have_value("cs_manager")
    expect(page.locator("[data-field=name]")).to_be_hidden()

    select(page, "investigate_store")
    expect(page.locator("#prop-name")).to_have_value("投诉调查与处理方案")
    expect(page.locator("#prop-formJsonSchemaFilename")).to_have_value("investigate.json")
    due = properties(original, "investigate_store")["dueInHours"]
    expect(page.locator("#prop-dueInHours")).to_have_value(due)
    expect(page.locator("[data-field=calledDecisionId]")).to_be_hidden()
    page.fill("#prop-dueInHours", "36")
    page.press("#prop-dueInHours", "Tab")
    page.fill("#prop-nameEn", "Investigate (store)")
    page.press("#prop-nameEn", "Tab")
    page.select_option("#prop-priority", "2")
    page.check("#prop-approverRole-finance")  # and back: the property goes again
    page.uncheck("#prop-approverRole-finance")
    expect(page.locator("#modeler-undo")).to_be_enabled()
    page.screenshot(path=screenshot_dir / "modeler-panel-zh-desktop.png", full_page=True)

    page.click("#modeler-save")
    message = page.locator("#modeler-message")
    expect(message).to_contain_text("已保存到")
    expect(message).to_contain_text("草稿")
    link = page.locator("#modeler-version-link")
    expect(link).to_have_attribute("href", "/admin/models/complaint_handling")
    expect(page.locator('#draft-panel [data-file="complaint_handling.bpmn"]')).to_be_visible()
    expect(page.locator("#publish-draft")).to_be_visible()
    assert page.request.get(own_server.url + FILE.format(version=2)).status == 404  # no version yet
    saved = page.request.get(own_server.url + DRAFT_FILE)
    assert saved.ok
    xml = saved.text()
    assert properties(xml, "investigate_store") == {
        "formJsonSchemaFilename": "investigate.json", "dueInHours": "36", "nameEn": "Investigate (store)",
        "priority": "2"}
    assert properties(xml, "investigate_merch") == properties(original, "investigate_merch")
    assert extension_counts(xml) == extension_counts(original)  # scripts, decisions, ... all kept

    select(page, "triage")
    expect(page.locator("#prop-calledDecisionId")).to_have_value("complaint_triage")
    page.select_option("#prop-calledDecisionId", "")
    page.click("#modeler-save")
    expect(message).to_contain_text("业务规则任务未指定决策")
    expect(message).to_have_class("alert alert-danger py-2 mb-2")
    expect(page.locator("#modeler")).to_have_attribute("data-error-element", "triage")
    expect(page.locator('#modeler-canvas .djs-element.of-error[data-element-id="triage"]')).to_have_count(1)
    expect(page.locator("#modeler-canvas .of-error-note")).to_contain_text("业务规则任务未指定决策")
    expect(page.locator("#panel-id")).to_have_text("triage")
    page.screenshot(path=screenshot_dir / "modeler-refused-zh-desktop.png", full_page=True)
    assert page.request.get(own_server.url + DRAFT_FILE).text() == xml  # nothing stored

    page.click("#modeler-undo")
    expect(page.locator("#prop-calledDecisionId")).to_have_value("complaint_triage")


def test_the_modeler_fits_a_phone(own_server, phone, screenshot_dir):
    page: Page = phone
    open_modeler(page, own_server)
    expect(page.locator("#modeler-small-screen")).to_be_visible()
    Pages.fits(page)
    select(page, "investigate_store")
    Pages.fits(page)
    page.screenshot(path=screenshot_dir / "modeler-zh-phone.png", full_page=True)


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
#: attributes at their BPMN default, which bpmn-js leaves out of the file it writes
DEFAULTS = {("isSequential", "false"), ("cancelActivity", "true"), ("isInterrupting", "true")}


def model_content(xml: str) -> list[tuple[str, str, tuple[tuple[str, str], ...], str]]:
    """Every BPMN and spiffworkflow element of a file (the drawing aside) with its owner, attributes
    and text, sorted: what the engine reads of it."""
    root = etree.fromstring(xml.encode("utf-8"))
    found = []
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith((SPIFF, BPMN)) and \
                not node.tag.endswith("}definitions"):
            owner = next((a.get("id") for a in node.iterancestors() if a.get("id")), "")
            attributes = tuple(sorted(a for a in node.attrib.items() if a not in DEFAULTS))
            found.append((owner, node.tag, attributes, (node.text or "").strip()))
    return sorted(found)


@pytest.mark.parametrize("key", sorted(p.stem for p in (REPO / "bpmn").glob("*.bpmn")))
def test_every_shipped_model_opens_and_writes_back_its_extensions_unchanged(own_server, desktop, key):
    """The moddle descriptor knows every spiffworkflow element the shipped models use, and a reference
    to case data (a multi-instance's loopDataInputRef) is kept: nothing is dropped on import (saving
    stays on) and saving writes every element back as it was."""
    page: Page = desktop
    if not page.url.startswith(own_server.url):
        Pages(own_server).sign_in(page, "admin")
    page.goto(f"{own_server.url}/admin/models/{key}/edit")
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-rendered", "true", timeout=20000)
    assert page.locator("#modeler-status").inner_text() == ""
    expect(page.locator("#modeler-save")).to_be_enabled()
    xml = page.evaluate("window.OpsFlowModeler.saveXML({format: true}).then((r) => r.xml)")
    opened = page.request.get(own_server.url + page.get_attribute("#modeler", "data-xml-url"))
    original = model_content(opened.text())
    saved = model_content(xml)
    assert [n for n in saved if n not in original] == [] and [n for n in original if n not in saved] == []


def test_a_file_with_parts_the_modeler_does_not_know_opens_with_saving_off(own_server, desktop):
    """An element of the spiffworkflow namespace the descriptor does not know would be dropped by the
    import and lost by a save: the page says so, naming it, and does not offer to save."""
    from engine import bpmn
    from engine.models import User
    from webapp.extensions import db, engine
    key = "store_inspection"
    model = (REPO / "bpmn" / f"{key}.bpmn").read_text("utf-8")
    unknown = "<spiffworkflow:futureSetting>on</spiffworkflow:futureSetting>"
    marked = model.replace("<spiffworkflow:properties>", unknown + "<spiffworkflow:properties>", 1)
    assert marked != model
    with own_server.app.app_context():
        admin = db.session.query(User).filter_by(username="admin").one()
        bpmn.deploy_uploads(db.session, admin, [bpmn.Upload(f"{key}.bpmn", marked.encode("utf-8"))],
                            engine().clock(), key=key)
        db.session.commit()
    page: Page = desktop
    Pages(own_server).sign_in(page, "admin")
    page.goto(f"{own_server.url}/admin/models/{key}/edit")
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-rendered", "true", timeout=20000)
    expect(page.locator("#modeler-message")).to_contain_text("futureSetting")
    expect(page.locator("#modeler-message")).to_contain_text("已停用保存")
    expect(page.locator("#modeler-save")).to_be_disabled()
