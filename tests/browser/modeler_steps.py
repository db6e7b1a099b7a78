"""What a person does in the bpmn-js modeler page, for browser tests that edit a model: open it, bring
an element into view at 100 %, select it, and put a point of the diagram under the mouse."""
from __future__ import annotations

from playwright.sync_api import Page, expect

#: the diagram at 100 %, centred on a point (what a person does by scrolling and zooming), so a click
#: reaches the element there and not the palette
CENTRE_ON_POINT = """([x, y]) => {
  const canvas = window.OpsFlowModeler.get("canvas");
  const outer = canvas.viewbox().outer;
  canvas.viewbox({x: x - outer.width / 2, y: y - outer.height / 2, width: outer.width, height: outer.height});
}"""
CENTRE = """(id) => {
  const e = window.OpsFlowModeler.get("elementRegistry").get(id);
  return [e.x + e.width / 2, e.y + e.height / 2];
}"""


def open_modeler(page: Page, url: str, key: str) -> None:
    page.goto(f"{url}/admin/models/{key}/edit")
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-rendered", "true", timeout=20000)
    expect(page.locator("#modeler-save")).to_be_enabled()


def on_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    """Where the diagram point (x, y) is on the screen, after centring the view on it."""
    page.evaluate(CENTRE_ON_POINT, [x, y])
    box = page.locator("#modeler-canvas").bounding_box()
    viewbox = page.evaluate("window.OpsFlowModeler.get('canvas').viewbox()")
    scale = viewbox["scale"]
    return box["x"] + (x - viewbox["x"]) * scale, box["y"] + (y - viewbox["y"]) * scale


def select(page: Page, element: str) -> None:
    x, y = page.evaluate(CENTRE, element)
    sx, sy = on_screen(page, x, y)
    page.mouse.click(sx, sy)
    expect(page.locator("#panel-id")).to_have_text(element)


def context_pad(page: Page, action: str) -> None:
    """An entry of the selected element's context pad (delete, replace, append.*), clicked."""
    page.locator(f'.djs-context-pad .entry[data-action="{action}"]').click()
