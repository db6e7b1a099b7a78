"""The API documentation page in chromium under a strict Content-Security-Policy (no inline script,
no inline style): the navigation leads an administrator there, Swagger UI renders every operation
of the description, an operation opens with its parameters, and the page fits a phone with
tap targets of 44 px. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from webapp.api.contract import openapi_document

pytestmark = pytest.mark.browser

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
OPERATIONS = sum(len(item) for item in openapi_document()["paths"].values())


def _strict(page: Page) -> list[str]:
    """Serve every page with a strict CSP; return the list that console errors (violations) land in."""
    def with_csp(route):  # type: ignore[no-untyped-def]
        try:
            response = route.fetch(max_redirects=0)
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
        except PlaywrightError:  # a request the page dropped as it navigated (the 待办 badge's poll)
            pass
    page.route(re.compile(r"^http://127\.0\.0\.1:\d+/"), with_csp)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_docs_page_renders_every_operation_under_a_strict_csp(pages, desktop, screenshot_dir):
    page: Page = desktop
    errors = _strict(page)
    pages.sign_in(page, "admin")
    page.click("a.nav-link[href='/api/docs']")
    expect(page).to_have_title(re.compile("^API 文档"))
    expect(page.locator("#api-docs .opblock")).to_have_count(OPERATIONS)
    expect(page.locator("#api-docs .info .title")).to_contain_text("OpsFlow API")
    page.locator("#operations-Processes-process .opblock-summary-control").click()
    expect(page.locator("#operations-Processes-process .parameters")).to_contain_text("key")
    page.screenshot(path=screenshot_dir / "api-docs-zh-desktop.png", full_page=False)
    assert errors == []


def test_the_docs_page_fits_a_phone(live_server, pages, phone, screenshot_dir):
    page: Page = phone
    errors = _strict(page)
    page.goto(f"{live_server.url}/api/docs")  # public, like the description it renders
    expect(page.locator("#api-docs .opblock")).to_have_count(OPERATIONS)
    page.locator("#operations-Tasks-tasks .opblock-summary-control").click()
    expect(page.locator("#operations-Tasks-tasks .parameters")).to_contain_text("per_page")
    pages.fits(page)
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#api-docs button, #api-docs select, #api-docs .opblock-summary a, #api-docs .opblock-tag a'))
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([_, h]) => h > 0 && h < 44)""")
    assert small == []
    page.screenshot(path=screenshot_dir / "api-docs-zh-phone.png", full_page=False)
    assert errors == []
