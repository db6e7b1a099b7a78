"""The modeler's outcome field in chromium: an end event's outcome is picked from the known words and
written to the element; a word the catalogue does not know, as a file may carry, is shown as an option
of its own, marked, and stays in the element while other properties change — nothing is lost unseen.
Nothing is saved (the shared server's models stay as they are)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.modeler_steps import open_modeler, select

pytestmark = pytest.mark.browser

OUTCOME_OF = """(id) => {
  const bo = window.OpsFlowModeler.get("elementRegistry").get(id).businessObject;
  const props = ((bo.extensionElements && bo.extensionElements.values) || [])
    .filter((v) => v.$type === "spiffworkflow:Properties")[0];
  const found = props && props.properties.filter((p) => p.name === "outcome")[0];
  return found ? found.value : null;
}"""
SET_OUTCOME = """([id, word]) => {
  const element = window.OpsFlowModeler.get("elementRegistry").get(id);
  const props = element.businessObject.extensionElements.values
    .filter((v) => v.$type === "spiffworkflow:Properties")[0];
  const found = props.properties.filter((p) => p.name === "outcome")[0];
  window.OpsFlowModeler.get("modeling").updateModdleProperties(element, found, {value: word});
}"""


def test_the_outcome_is_picked_and_an_unknown_word_stays_visible(live_server, desktop):
    page: Page = desktop
    Pages(live_server).sign_in(page, "admin")
    open_modeler(page, live_server.url, "complaint_handling")
    outcome = page.locator("#prop-outcome")

    select(page, "end_closed")
    expect(outcome).to_be_visible()
    expect(outcome).to_have_value("closed")
    outcome.select_option("rejected")
    assert page.evaluate(OUTCOME_OF, "end_closed") == "rejected"

    page.evaluate(SET_OUTCOME, ["end_final", "mystery"])  # as a file written elsewhere may have it
    select(page, "end_final")
    expect(outcome).to_have_value("mystery")
    expect(outcome.locator("option:checked")).to_have_text("mystery（未登记的结果）")
    page.locator("#prop-nameEn").fill("Closed by the manager")
    page.locator("#prop-nameEn").press("Enter")
    assert page.evaluate(OUTCOME_OF, "end_final") == "mystery"  # another change keeps it
    outcome.select_option("")
    assert page.evaluate(OUTCOME_OF, "end_final") is None  # chosen away on purpose: removed
