"""Every page of the app, as the demo user it is for, at 390 x 844 and 1366 x 900, in Chinese and in
English: a screenshot into test-output/screens/, no sideways scrolling, no text squeezed to a character
a line, no card cell spilling its text, and axe-core finds nothing serious or critical.

The pages are every GET route that renders HTML (JSON, CSV, BPMN and file downloads are not pages),
the task page of every step of every process (tests/browser/every_step.py leaves each one open) and
the error pages. The sweep has a server of its own, so the cases it starts stay out of the other
browser tests' lists; one browser, one context per person and size, the language switched in the
person's setting. A failure is named by page, size and language."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from engine.clock import FrozenClock
from tests.browser.conftest import Pages, watch_policy
from tests.browser.every_step import CALLED_STEPS, EveryStep
from tests.workflows.model_case import STARTERS
from workflows.model_lint import shipped_user_tasks
from workflows.registry import PROCESSES

pytestmark = pytest.mark.browser

SIZES = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
LANGUAGES = ("zh_CN", "en")
ANONYMOUS = ""


@dataclass(frozen=True)
class Screen:
    """One page: its name in test ids and file names, who opens it, its path (from the sweep's cases
    and people), the status it answers with, and whether it fetches more after loading (a diagram,
    the dashboard's figures, the API's description) to wait for."""
    name: str
    user: str
    path: Callable[[Any], str] | str
    status: int = 200
    fetches: bool = False


def _pages() -> list[Screen]:
    pages = [
        Screen("login", ANONYMOUS, "/login"),
        Screen("tasks", "cs_li", "/tasks"),
        Screen("tasks-claimable", "cs_li", "/tasks?scope=claimable"),
        Screen("outcomes", "cs_li", "/outcomes"),
        Screen("processes", "cs_li", "/processes"),
        Screen("inbox", "director", "/inbox"),
        Screen("cc", "director", "/cc"),
        Screen("cases", "director", "/cases"),
        Screen("dashboard", "director", "/dashboard", fetches=True),
        Screen("account", "cs_li", "/account"),
        Screen("account-away", "cs_li", "/account/away"),
        Screen("account-notifications", "cs_li", "/account/notifications"),
        Screen("api-docs", "admin", "/api/docs", fetches=True),
        Screen("admin", "admin", "/admin/"),
        Screen("admin-users", "admin", "/admin/users"),
        Screen("admin-user-new", "admin", "/admin/users/new"),
        Screen("admin-user", "admin", lambda s: f"/admin/users/{s.user_id('cs_li')}"),
        Screen("admin-stores", "admin", "/admin/stores"),
        Screen("admin-store-new", "admin", "/admin/stores/new"),
        Screen("admin-store", "admin", "/admin/stores/SH001"),
        Screen("admin-robots", "admin", "/admin/robots"),
        Screen("admin-robot-new", "admin", "/admin/robots/new"),
        Screen("admin-robot", "admin", "/admin/robots/1"),
        Screen("admin-deliveries", "admin", "/admin/deliveries"),
        Screen("admin-models", "admin", "/admin/models"),
        Screen("admin-modeler", "admin", "/admin/models/complaint_handling/edit", fetches=True),
        Screen("admin-schedules", "admin", "/admin/schedules"),
        Screen("admin-model-diff", "admin", "/admin/models/complaint_handling/diff?from=1&to=1",
               fetches=True),
        Screen("admin-form-editor", "admin", "/admin/models/complaint_handling/forms/investigate.json/edit"),
        Screen("admin-form-new", "admin", "/admin/models/complaint_handling/forms/new"),
        Screen("admin-decision-editor", "admin",
               "/admin/models/complaint_handling/decisions/compensation_approval.dmn/edit", fetches=True),
        Screen("error-403", "cs_li", "/admin/", 403),
        Screen("error-404", "cs_li", "/no-such-page", 404),
        Screen("error-405", "cs_li", "/logout", 405),
    ]
    for key in PROCESSES:
        pages.append(Screen(f"start-{key}", STARTERS[key], f"/processes/{key}"))
        pages.append(Screen(f"case-{key}", "director", lambda s, key=key: f"/cases/{s.steps.cases[key]}",
                            fetches=True))
        pages.append(Screen(f"admin-model-{key}", "admin", f"/admin/models/{key}"))
        pages.append(Screen(f"admin-migration-{key}", "admin", f"/admin/models/{key}/migration"))
        for element in list(shipped_user_tasks(key)) + list(CALLED_STEPS.get(key, ())):
            pages.append(Screen(f"task-{key}-{element}", f"holder:{key}:{element}",
                                lambda s, step=(key, element): f"/tasks/{s.step(step).task_id}"))
    return pages


PAGES = {page.name: page for page in _pages()}
# The GET routes that answer with something other than a page, by endpoint (a blueprint's name and a
# star: all of it): the JSON API, files, the diagram's XML, the CSV export, redirects, the health and
# readiness checks, the metrics.
NOT_PAGES = {"api.*", "static", "attachments.download", "admin.model_file", "admin.draft_file",
             "cases.diagram", "cases.export", "cases.moved", "tasks.home", "tasks.poll",
             "tasks.import_template", "health.*", "metrics.*"}
# Sizes outermost, then languages, then people: a context serves a run of pages before the next.
CASES = [(name, size, language) for size in SIZES for language in LANGUAGES
         for name in sorted(PAGES, key=lambda n: (PAGES[n].user.startswith("holder:"), PAGES[n].user, n))]


class Sweep:
    """The sweep's server, its cases and its browser contexts (one per person and size)."""

    def __init__(self, app: Any, url: str, steps: EveryStep, browser: Any) -> None:
        self.app, self.url, self.steps, self.browser = app, url, steps, browser
        self.contexts: dict[tuple[str, str, str], Any] = {}
        self.violations: dict[tuple[str, str, str], list[str]] = {}
        self.locales: dict[str, str] = {}

    def step(self, step: tuple[str, str]) -> Any:
        if step not in self.steps.steps:
            pytest.fail(f"the walk did not leave {step} open: {self.steps.missed}", pytrace=False)
        return self.steps.steps[step]

    def user_id(self, username: str) -> int:
        from engine.models import User
        from webapp.extensions import db
        with self.app.app_context():
            return db.session.scalars(select(User.id).where(User.username == username)).one()

    def holder(self, user: str) -> str:
        if user.startswith("holder:"):
            _, key, element = user.split(":")
            return str(self.step((key, element)).username)
        return user

    def page(self, user: str, size: str, language: str) -> tuple[Any, list[str]]:
        """A page signed in as `user` at `size` whose pages speak `language`, and the list the policy's
        refusals on it go to."""
        key = (user, size, language if user == ANONYMOUS else "")
        if key not in self.contexts:
            for other in [k for k in self.contexts if k[1] != size]:
                self.contexts.pop(other).close()
            phone = int(size) < 768
            context = self.browser.new_context(viewport=SIZES[size], locale="zh-CN", is_mobile=phone,
                                               has_touch=phone)
            self.violations[key] = []
            watch_policy(context, self.violations[key])
            page = context.new_page()
            if user == ANONYMOUS:
                page.goto(f"{self.url}/login")
                if language != "zh_CN":
                    with page.expect_navigation():
                        page.locator("#language-switch").evaluate("button => button.click()")
            else:
                Pages(self).sign_in(page, user)  # type: ignore[arg-type]
            self.contexts[key] = context
        if user != ANONYMOUS:
            self.speak(user, language)
        return self.contexts[key].pages[0], self.violations[key]

    def speak(self, username: str, language: str) -> None:
        """Set the person's language as the switch does (it is their setting, on every device)."""
        if self.locales.get(username) == language:
            return
        from engine.models import User
        from webapp.extensions import db
        with self.app.app_context():
            db.session.scalars(select(User).where(User.username == username)).one().locale = language
            db.session.commit()
        self.locales[username] = language

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


def leave_a_draft(app: Any) -> None:
    """A draft of complaint_handling (a threshold changed), so its model page and editors show their
    draft panels."""
    from engine import bpmn
    from engine.models import User
    from webapp.extensions import db, engine
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        working = bpmn.working_set(db.session, admin, "complaint_handling")
        dmn = working.files["compensation_approval.dmn"].content
        changed = dmn.replace("&gt; 500", "&gt; 800", 1)
        assert changed != dmn
        bpmn.save_to_draft(db.session, admin, "complaint_handling",
                           [bpmn.Upload("compensation_approval.dmn", changed.encode("utf-8"))],
                           engine().clock(), working.base)
        db.session.commit()


@pytest.fixture(scope="module")
def sweep(serve, browser, tmp_path_factory) -> Iterator[Sweep]:
    from webapp import create_app
    from webapp.bootstrap import prepare
    folder = tmp_path_factory.mktemp("sweep")
    clock = FrozenClock()
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'sweep.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True, CLOCK=clock, DEMO_CASES=True,
                     WEBHOOK_URL="https://robot.example/cgi-bin/webhook/send?key=sweep")
    prepare(app)
    steps = EveryStep(app, clock).walk_all()
    leave_a_draft(app)
    with serve(app, "sweep-server") as url:
        sweep = Sweep(app, url, steps, browser)
        yield sweep
        sweep.close()


@pytest.fixture(scope="session")
def screens_dir() -> Any:
    from tests.conftest import REPO_ROOT
    path = REPO_ROOT / "test-output" / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settle(page: Any) -> None:
    """Wait for the page's own requests to be answered."""
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except PlaywrightError:
        pass  # a page that keeps polling is checked as it stands


@pytest.mark.parametrize("name, size, language", CASES)
def test_every_page_fits_and_is_accessible(sweep, axe, screens_dir, name, size, language):
    screen = PAGES[name]
    user = sweep.holder(screen.user)
    page, refused = sweep.page(user, size, language)
    path = screen.path(sweep) if callable(screen.path) else screen.path
    response = page.goto(f"{sweep.url}{path}")
    if screen.fetches:
        settle(page)
    page.screenshot(path=screens_dir / f"{name}-{size}-{language}.png", full_page=True)
    problems = []
    if response is None or response.status != screen.status:
        problems.append(f"{path} answered {response and response.status}, not {screen.status}")
    expected_lang = "zh" if language == "zh_CN" else "en"
    if not (page.get_attribute("html", "lang") or "").startswith(expected_lang):
        problems.append(f"the page is not in {language}: lang={page.get_attribute('html', 'lang')}")
    for check in (Pages.fits, Pages.unsqueezed, Pages.cells_hold_their_text, axe.check):
        try:
            check(page)
        except AssertionError as failed:
            problems.append(str(failed))
    if refused:
        problems.append("the policy refused:\n" + "\n".join(dict.fromkeys(refused)))
        refused.clear()
    assert not problems, f"{name} ({path}) at {size} px in {language} as {user or 'nobody'}:\n" + \
        "\n\n".join(problems)


class _AnyIds:
    """Stands in for the sweep when only a page's route matters: every id is 1."""
    steps = type("Steps", (), {"cases": {key: 1 for key in PROCESSES}})()

    def step(self, step: tuple[str, str]) -> Any:
        return type("Step", (), {"task_id": 1})()

    def user_id(self, username: str) -> int:
        return 1


def test_the_sweep_opens_every_page_the_app_serves():
    """A new GET route is either swept (added to _pages) or named in NOT_PAGES."""
    from webapp import create_app
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    routes = app.url_map.bind("localhost")
    paths = [s.path(_AnyIds()) if callable(s.path) else s.path for s in PAGES.values() if s.status == 200]
    swept = {routes.match(path.split("?")[0], method="GET")[0] for path in paths}
    served = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    left = {e for e in served - swept
            if e not in NOT_PAGES and f"{e.split('.')[0]}.*" not in NOT_PAGES}
    assert left == set(), "pages the sweep does not open (add them to _pages, or to NOT_PAGES)"


CONTRAST_ON_HEADER = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((c) => c / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const stops = getComputedStyle(document.querySelector(".app-navbar")).backgroundImage
    .match(/rgba?\\([^)]+\\)/g).map(rgb);
  return [...document.querySelectorAll(".app-navbar a, .app-navbar button")]
    .filter((e) => e.getBoundingClientRect().width > 0
                   && getComputedStyle(e).backgroundColor === "rgba(0, 0, 0, 0)")
    .map((e) => {
      const [r, g, b, a = 1] = rgb(getComputedStyle(e).color);
      const worst = Math.min(...stops.map((bg) => {
        const fg = [r, g, b].map((c, i) => c * a + bg[i] * (1 - a));
        const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
      }));
      return [e.textContent.trim() || e.getAttribute("aria-label"), Math.round(worst * 100) / 100];
    });
}"""


def test_the_header_reads_at_4_5_to_1_on_its_gradient(sweep):
    """axe cannot measure text on a gradient: the header's links and the person's name are measured
    against both ends of it (the name was 3.3:1 and looked disabled)."""
    page, _ = sweep.page("cs_li", "1366", "zh_CN")
    page.goto(f"{sweep.url}/tasks")
    measured = page.evaluate(CONTRAST_ON_HEADER)
    assert any(name == "李客服" for name, _ in measured), measured
    assert [(name, ratio) for name, ratio in measured if ratio < 4.5] == []


HEADER_TARGETS = """() => [...document.querySelectorAll(".app-navbar a, .app-navbar button")]
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([, box]) => box.width > 0 && box.height > 0)
  .filter(([, box]) => box.width < 44 || box.height < 44)
  .map(([e, box]) => [e.id || e.textContent.trim() || e.getAttribute("aria-label"),
                      Math.round(box.width), Math.round(box.height)])"""


@pytest.mark.parametrize("size", ["390", "1366"])
def test_every_header_control_is_a_44_px_target(sweep, size):
    """The brand, the menu button, the phone's to-do and bell icons, the menu's links, the language
    switch and log out were 23-40 px tall."""
    page, _ = sweep.page("cs_li", size, "zh_CN")
    page.goto(f"{sweep.url}/tasks")
    if size == "390":
        page.click(".navbar-toggler")
        page.wait_for_selector("#nav-menu.show")
    assert page.evaluate(HEADER_TARGETS) == []
