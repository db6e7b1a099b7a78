"""Browser fixtures: the real app served by werkzeug in a background thread (SQLite file, the real
models deployed, the demo cast), and Debian's chromium driven by Playwright."""
from __future__ import annotations

import contextlib
import re
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

from webapp import create_app
from webapp.bootstrap import prepare

#: The elements that reach past the viewport's right edge (the outermost few), for a failure's message.
WIDER_THAN_VIEWPORT = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 6).map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join(".")}`
                          + ` right=${Math.round(e.getBoundingClientRect().right)}`)"""


class LiveServer:
    def __init__(self, app, url: str) -> None:
        self.app, self.url = app, url

    def start_case(self, process: str, username: str, data: dict) -> dict:
        """Start a case as `username` straight through the engine (what the API would do)."""
        from engine.models import User
        from webapp.extensions import db, engine
        with self.app.app_context():
            user = db.session.query(User).filter_by(username=username).one()
            view = engine().start(db.session, process, user, data)
            db.session.commit()
            return view.to_dict()

    def second_manager(self, store_code: str) -> str:
        """A second store manager for `store_code` (password demo123), made once: with two, the
        store's tasks wait in the pool instead of going to its one manager directly."""
        from engine.directory.accounts import RoleSpec, insert_user_unchecked
        from engine.models import User
        from webapp.extensions import db, engine
        username = f"second_{store_code.lower()}"
        with self.app.app_context():
            if db.session.query(User).filter_by(username=username).first() is None:
                insert_user_unchecked(db.session, username, "demo123", display_name=f"{store_code}副店长",
                                      roles=[RoleSpec("store_manager", store_code)], now=engine().clock())
                db.session.commit()
        return username


@contextlib.contextmanager
def serving(app, name: str = "live-server") -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve `app` from a background thread while the block runs; its URL. The app's database is
    let go afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        from webapp.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'live.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), TASK_POLL_SECONDS=1, WTF_CSRF_ENABLED=True)
    prepare(app)
    with serving(app) as url:
        yield LiveServer(app, url)


@pytest.fixture(scope="session")
def serve() -> Any:
    """`serving`, for browser tests that need a server and database of their own."""
    return serving


@pytest.fixture(scope="session")
def browser(chromium_path, chromium_args):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        yield chromium
        chromium.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Every page of every browser test is watched for Content-Security-Policy violations: the
# securitypolicyviolation event (reported through an exposed function) and chromium's console message.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
    `${location.pathname}: ${e.effectiveDirective} refused ${e.blockedURI}`
    + ` (${e.sourceFile}:${e.lineNumber}) ${e.sample}`));"""


def watch_policy(context, violations: list[str]) -> None:  # type: ignore[no-untyped-def]
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)


@pytest.fixture
def csp_violations() -> list[str]:
    """What the policy refused on the pages of this test's `desktop` and `phone`; must stay empty."""
    return []


@pytest.fixture
def desktop(browser, csp_violations):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    watch_policy(context, csp_violations)
    yield context.new_page()
    context.close()
    assert not csp_violations, "the policy refused:\n" + "\n".join(dict.fromkeys(csp_violations))


@pytest.fixture
def phone(browser, csp_violations):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    watch_policy(context, csp_violations)
    yield context.new_page()
    context.close()
    assert not csp_violations, "the policy refused:\n" + "\n".join(dict.fromkeys(csp_violations))


# Every text node of three or more characters, laid out: counts its lines (distinct rect tops) and
# reports it when it averages under two characters a line. Text out of sight (visually-hidden, a table
# head folded away on a phone, the inside of a closed <details>) is skipped.
FIND_SQUEEZED = """() => {
  const out = [];
  const hidden = (el) => {
    const shut = el.closest("details:not([open])");
    if (shut && !el.closest("summary")) return true;  // laid out by chromium, but out of sight
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === "none" || style.visibility === "hidden" || style.clip !== "auto"
          || e.getBoundingClientRect().width <= 1) return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, "");
    const parent = node.parentElement;
    if (text.length <= 2 || !parent) continue;
    if (parent.closest("script, style, template, option, select, textarea")) continue;
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    const tops = new Set(rects.map((r) => Math.round(r.top)));
    if (tops.size > 1 && text.length / tops.size < 2 && !hidden(parent))
      out.push(`#${(parent.closest("[id]") || {}).id} <${parent.tagName.toLowerCase()}`
               + ` class="${parent.className}"> ${text.slice(0, 30)}: `
               + `${tops.size} lines, ${Math.round(parent.getBoundingClientRect().width)}px wide`);
  }
  return out;
}"""

# The widths every list is tried at: a small phone, the common phone, a laptop.
LIST_WIDTHS = {"360": {"width": 360, "height": 780}, "390": PHONE, "1366": {"width": 1366, "height": 900}}


@pytest.fixture(params=list(LIST_WIDTHS))
def sized(request, browser, csp_violations):
    """A page at each of LIST_WIDTHS in Chinese (phones touch-enabled); its width is `page.list_width`."""
    viewport = LIST_WIDTHS[request.param]
    phone_like = viewport["width"] < 768
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone_like,
                                  has_touch=phone_like, device_scale_factor=2 if phone_like else 1)
    watch_policy(context, csp_violations)
    page = context.new_page()
    page.list_width = request.param
    yield page
    context.close()
    assert not csp_violations, "the policy refused:\n" + "\n".join(dict.fromkeys(csp_violations))


class Pages:
    """What browser tests do on every page: sign in as a demo user, check the page fits its viewport."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def sign_in(self, page, username: str, password: str = "demo123") -> None:  # type: ignore[no-untyped-def]
        from playwright.sync_api import expect
        page.goto("about:blank")  # the last page's scripts stop before its cookies go
        page.context.clear_cookies()
        page.goto(f"{self.server.url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("main button[type=submit]")
        expect(page).not_to_have_url(re.compile(r"/login"))

    @staticmethod
    def fits(page) -> None:  # type: ignore[no-untyped-def]
        # a page settles first (a transition or a live refresh can overflow for a frame); what still
        # overflows after two seconds is a page that scrolls sideways
        with contextlib.suppress(Exception):
            page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=2000)
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.evaluate("window.innerWidth")
        wide = [] if width <= viewport else page.evaluate(WIDER_THAN_VIEWPORT)
        assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport: {wide}"

    @staticmethod
    def unsqueezed(page) -> None:  # type: ignore[no-untyped-def]
        """No visible text of more than two characters wraps to fewer than two characters a line
        (the one-character-per-line column of a table too wide for a phone)."""
        squeezed = page.evaluate(FIND_SQUEEZED)
        assert not squeezed, "text squeezed to a character or two a line:\n" + "\n".join(squeezed)

    @staticmethod
    def cells_hold_their_text(page) -> None:  # type: ignore[no-untyped-def]
        """No cell of a card list spills its text past its edge (a long e-mail address on a phone)."""
        spilled = page.evaluate("""() => [...document.querySelectorAll(".card-table td, .card-table th")]
            .filter((e) => e.getBoundingClientRect().width > 1 && e.scrollWidth > e.clientWidth + 1)
            .map((e) => `#${(e.closest("[id]") || {}).id} ${e.textContent.trim().slice(0, 30)}: `
                 + `${e.scrollWidth}px in ${e.clientWidth}px`)""")
        assert not spilled, "cells wider than their card:\n" + "\n".join(spilled)

    def phone_first(self, page) -> None:  # type: ignore[no-untyped-def]
        """What every list page must pass at 360, 390 and 1366 px: no sideways scroll, no text squeezed
        to a character a line, no cell spilling out of its card."""
        self.fits(page)
        self.unsqueezed(page)
        self.cells_hold_their_text(page)


@pytest.fixture
def pages(live_server: LiveServer) -> Pages:
    return Pages(live_server)


# axe-core (package.json; `make assets` runs `npm ci`) is evaluated into the page through the DevTools
# protocol, which the page's Content-Security-Policy does not govern: the pages are checked as served.
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = ("serious", "critical")
RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => blocking.includes(v.impact)).map((v) =>
    `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\\n` + v.nodes.slice(0, 10).map((n) =>
      `    ${n.target.join(" ")}: ${(n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240)}`)
    .join("\\n"));
}"""


class Axe:
    """axe-core run on the page as it stands; fails on any serious or critical violation, naming the
    rule, the elements and the help page."""

    def __init__(self, source: str) -> None:
        self.source = source

    def violations(self, page) -> list[str]:  # type: ignore[no-untyped-def]
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        return page.evaluate(RUN_AXE, list(AXE_BLOCKING))

    def check(self, page) -> None:  # type: ignore[no-untyped-def]
        found = self.violations(page)
        assert not found, f"axe on {page.url}:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def axe() -> Axe:
    if not AXE_SOURCE.is_file():
        pytest.fail(f"{AXE_SOURCE} is missing: run `make assets` (npm ci installs axe-core)", pytrace=False)
    return Axe(AXE_SOURCE.read_text(encoding="utf-8"))
