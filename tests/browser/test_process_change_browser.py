"""Issue 16's "Done when", walked in chromium on a desktop as the demo users, on SQLite and PostgreSQL:
two complaint handling cases run on version 1 (one waiting for the store manager's investigation, one
for the warehouse keeper's); the administrator opens the process in the modeler, removes the warehouse
investigation, drops a new task on the flow after the store's investigation (in the store manager's
lane), makes it a user task and names it, saves it into the process's draft, sees the missing due hours
marked on the new step (nothing saved), fixes them and saves into the draft; creates the step's form in
the form editor (into the same draft, the draft's model naming it on the step); raises a threshold of
the triage table in the decision editor (the draft again) and publishes the draft once: version 2 holds
all three changes; sees the diff (the step added, the removed one, the rule changed); dry-runs the move
of the running cases (the warehouse case cannot move, and says why, until its step and its deadline
timer are mapped to the store's), moves them; the store manager's 待办 then holds both cases (the moved
one given to the holder of its new lane's role), the case page draws version 2, and completing the
investigation brings the new step to 待办 with its new form, the move on the case's timeline."""
from __future__ import annotations

from typing import Iterator

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from engine.clock import FrozenClock

from .conftest import LiveServer, Pages
from .handoff_server import own_server
from .modeler_steps import context_pad, on_screen, open_modeler, select

pytestmark = pytest.mark.browser

KEY = "complaint_handling"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BASE = f"/admin/models/{KEY}"
STORE = "SH002"
MANAGER = "manager_sh002"
COMPLAINT = {"customer_name": "吴先生", "customer_phone": "13812345678", "store_code": STORE,
             "channel": "store", "category": "service", "description": "收银排队太久。", "amount_claimed": 0}
PARCEL = {**COMPLAINT, "customer_name": "郑女士", "category": "logistics", "description": "包裹破损。"}
FORM = """{"type": "object", "title": "店长复核", "required": ["review_note"],
 "properties": {"review_note": {"type": "string", "title": "复核意见", "maxLength": 500}}}"""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live_server(request, serve, tmp_path_factory) -> Iterator[LiveServer]:
    """A server of this module's own: its complaint handling gets new versions."""
    with own_server(request, serve, tmp_path_factory.mktemp("change"), FrozenClock(), "change") as server:
        yield server


def fill_investigation(page: Page) -> None:
    page.fill("#f-findings", "高峰期只开一个收银台")
    page.fill("#f-root_cause", "排班不足")
    page.select_option("#f-resolution_type", "apology")
    page.fill("#f-compensation_amount", "0")
    page.fill("#f-resolution_plan", "高峰期加开收银台")


def add_review_step(page: Page) -> str:
    """Remove the warehouse investigation, drop a task on the flow after the store's investigation,
    make it a user task and fill its properties but the due hours: the new element's id."""
    select(page, "investigate_warehouse")
    context_pad(page, "delete")
    gone = page.locator('#modeler-canvas .djs-element[data-element-id="investigate_warehouse"]')
    expect(gone).to_have_count(0)
    # the flow investigate_store → investigation_done runs along y=410 from x=1440 to 1540 (the store
    # manager's lane): a task dropped on it is put into the flow
    x, y = on_screen(page, 1495, 410)
    page.locator('.djs-palette .entry[data-action="create.task"]').click()
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=8)
    page.mouse.click(x, y)
    new_id = page.locator("#panel-id").inner_text()
    assert new_id not in ("", KEY, "investigate_store")
    context_pad(page, "replace")
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    expect(page.locator("[data-field=formJsonSchemaFilename]")).to_be_visible()
    new_id = page.locator("#panel-id").inner_text()
    page.fill("#prop-name", "店长复核")
    page.press("#prop-name", "Tab")
    page.fill("#prop-nameEn", "Store manager review")
    page.press("#prop-nameEn", "Tab")
    page.select_option("#prop-formJsonSchemaFilename", "investigate.json")  # for now; its own form follows
    flows = page.evaluate("""(id) => {
      const e = window.OpsFlowModeler.get("elementRegistry").get(id);
      return [e.incoming.map(c => c.source.id), e.outgoing.map(c => c.target.id),
              e.businessObject.lanes ? e.businessObject.lanes.map(l => l.id) : []];
    }""", new_id)
    assert flows[:2] == [["investigate_store"], ["investigation_done"]], flows  # wired into the flow
    return new_id


def test_a_process_owner_changes_complaint_handling_and_moves_the_running_cases(live_server, desktop,
                                                                                 screenshot_dir):
    page: Page = desktop
    pages = Pages(live_server)
    store_case = live_server.start_case(KEY, "cs_li", COMPLAINT)["id"]
    parcel_case = live_server.start_case(KEY, "cs_li", PARCEL)["id"]

    # the modeler: a step removed, one added; the missing due hours marked on the new step
    pages.sign_in(page, "admin")
    open_modeler(page, live_server.url, KEY)
    step = add_review_step(page)
    page.click("#modeler-save")
    message = page.locator("#modeler-message")
    expect(message).to_contain_text("该用户任务没有 dueInHours（办理时限，小时）")  # in Chinese
    expect(page.locator("#modeler-canvas .of-error-note")).to_contain_text("办理时限")
    expect(page.locator("#modeler")).to_have_attribute("data-error-element", step)
    expect(page.locator(f'#modeler-canvas .djs-element.of-error[data-element-id="{step}"]')).to_have_count(1)
    expect(page.locator("#panel-id")).to_have_text(step)
    page.screenshot(path=str(screenshot_dir / "process-change-refused.png"), full_page=True)
    page.fill("#prop-dueInHours", "8")
    page.press("#prop-dueInHours", "Tab")
    page.click("#modeler-save")
    expect(message).to_contain_text("草稿")
    expect(page.locator(f'#draft-panel[data-base="1"] [data-file="{KEY}.bpmn"]')).to_be_visible()
    assert page.request.get(f"{live_server.url}{BASE}/2/files/{KEY}.bpmn").status == 404  # no version yet
    saved = etree.fromstring(page.request.get(f"{live_server.url}{BASE}/draft/files/{KEY}.bpmn").body())
    lane = saved.find(f".//{BPMN}lane[@id='lane_store_manager']")
    assert step in [ref.text for ref in lane.iter(f"{BPMN}flowNodeRef")]  # the store manager's step
    assert saved.find(".//*[@id='investigate_warehouse']") is None

    # the form editor: the new step (of the draft's model) gets its own form, into the draft
    page.goto(f"{live_server.url}{BASE}/forms/new")
    page.fill("#form-filename", "store_review.json")
    page.select_option("#form-step", step)
    page.locator("#schema-text").fill(FORM)
    expect(page.locator('#preview-desktop [name="review_note"]')).to_be_visible()
    page.click("#save-form")
    expect(page.locator(".alert-success")).to_contain_text("草稿")
    expect(page.locator('#draft-panel [data-file="store_review.json"]')).to_contain_text("新")

    # the decision editor: a service complaint is "major" from a claim of 3000 instead of 2000
    page.goto(f"{live_server.url}{BASE}/decisions/complaint_triage.dmn/edit")
    expect(page.locator("#decision-editor")).to_have_attribute("data-rendered", "true", timeout=15_000)
    cell = page.locator('#decision-editor td[data-element-id="complaint_triage_rule_5_in_2"]')
    expect(cell).to_have_text(">= 2000")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(">= 3000")
    expect(cell).to_have_text(">= 3000")
    page.click("#save-decision")
    expect(page.locator(".alert-success")).to_contain_text("草稿")
    for name in (f"{KEY}.bpmn", "store_review.json", "complaint_triage.dmn"):  # one draft, three files
        expect(page.locator(f'#draft-panel [data-file="{name}"]')).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "process-change-draft.png"), full_page=True)

    # the model page shows the draft; publishing it makes version 2 with all three changes
    page.goto(f"{live_server.url}{BASE}")
    expect(page.locator("#draft-files li")).to_have_count(3)
    page.click("#publish-draft")
    expect(page.locator(".alert-success")).to_contain_text("草稿已发布为第 2 版")
    expect(page.locator("#draft-panel")).to_have_count(0)
    expect(page.locator("#version-3")).to_have_count(0)
    model = page.request.get(f"{live_server.url}{BASE}/2/files/{KEY}.bpmn").text()
    assert f'id="{step}"' in model and 'value="store_review.json"' in model
    assert "review_note" in page.request.get(f"{live_server.url}{BASE}/2/files/store_review.json").text()
    assert "&gt;= 3000" in page.request.get(f"{live_server.url}{BASE}/2/files/complaint_triage.dmn").text()

    # the diff between version 1 and version 2
    page.goto(f"{live_server.url}{BASE}/diff?from=1&to=2")
    expect(page.locator("#diagram-old")).to_have_attribute("data-rendered", "ok")
    expect(page.locator("#diagram-new")).to_have_attribute("data-rendered", "ok")
    expect(page.locator(f'#diagram-new .djs-element.diff-added[data-element-id="{step}"]')).to_have_count(1)
    expect(page.locator('#diagram-old .djs-element.diff-removed[data-element-id="investigate_warehouse"]')
           ).to_have_count(1)
    expect(page.locator(f"#change-{step}")).to_have_attribute("data-status", "added")
    expect(page.locator('#diff-decisions [data-rule="complaint_triage_rule_5"]')).to_contain_text(">= 3000")
    page.screenshot(path=str(screenshot_dir / "process-change-diff.png"), full_page=True)

    # the dry run: the warehouse case cannot move until its step is mapped; then both move
    page.goto(f"{live_server.url}{BASE}/migration")
    page.select_option("#from-version", "1")
    page.select_option("#to-version", "2")
    page.fill("#instance-ids", f"{store_case} {parcel_case}")
    page.click("#dry-run")
    expect(page.locator(f"#case-{store_case}")).to_have_attribute("data-movable", "1")
    blocked = page.locator(f"#case-{parcel_case}")
    expect(blocked).to_have_attribute("data-movable", "0")
    expect(blocked).to_contain_text("investigate_warehouse")
    expect(blocked).not_to_contain_text("sla_warehouse")  # a removed timer is disarmed, not a blocker
    expect(blocked.locator('input[name="case"]')).to_be_disabled()
    page.select_option("#map-investigate_warehouse", "investigate_store")
    page.click("#dry-run")
    expect(page.locator(f"#case-{parcel_case}")).to_have_attribute("data-movable", "1")
    page.click("#migrate")
    expect(page.locator(f"#case-{store_case}")).to_have_attribute("data-moved", "1")
    expect(page.locator(f"#case-{parcel_case}")).to_have_attribute("data-moved", "1")
    page.screenshot(path=str(screenshot_dir / "process-change-moved.png"), full_page=True)

    # the store manager: both cases in 待办, the case page on version 2, then the new step
    pages.sign_in(page, MANAGER)
    page.goto(f"{live_server.url}/tasks")
    rows = page.locator("#task-list tr[data-task-id]")
    for customer in ("吴先生", "郑女士"):  # the warehouse case's step is the store's investigation now
        expect(rows.filter(has_text=customer)).to_contain_text("投诉调查与处理方案")
    page.goto(f"{live_server.url}/cases/{store_case}")
    expect(page.locator("main")).to_contain_text("v2")
    expect(page.locator("#case-diagram")).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(page.locator(f'#case-diagram .djs-element[data-element-id="{step}"]')).to_have_count(1)
    expect(page.locator('#case-diagram [data-element-id="investigate_warehouse"]')).to_have_count(0)

    # the store manager finishes the investigation: the new step comes to 待办 with its own form
    page.goto(f"{live_server.url}/tasks")
    rows.filter(has_text="吴先生").locator("a").first.click()
    fill_investigation(page)
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text("下一步")
    page.goto(f"{live_server.url}/tasks")
    review = rows.filter(has_text="吴先生")
    expect(review).to_contain_text("店长复核")
    review.locator("a").first.click()
    expect(page.locator("#f-review_note")).to_be_visible()  # the form made in the form editor
    page.fill("#f-review_note", "已复核，同意处理方案")
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text("下一步")
    page.goto(f"{live_server.url}/cases/{store_case}")
    expect(page.locator(".timeline")).to_contain_text("店长复核")
    expect(page.locator(".timeline")).to_contain_text("将案件从版本 1 迁移到版本 2")  # the move, audited
    page.screenshot(path=str(screenshot_dir / "process-change-case.png"), full_page=True)
