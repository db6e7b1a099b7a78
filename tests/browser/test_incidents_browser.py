"""The incident panel in chromium on a phone: an administrator reads a stopped case's incident and
retries it with corrected data, with no sideways scrolling and tap-sized buttons, on a server and
database of its own (the failing test model must not reach the employee tests' task lists)."""
from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest
from playwright.sync_api import expect

from webapp import create_app
from webapp.bootstrap import prepare

pytestmark = pytest.mark.browser

ENGINE_MODELS = Path(__file__).resolve().parents[1] / "engine" / "fixture_models"


@pytest.fixture(scope="module")
def stopped_case(tmp_path_factory, serve) -> Iterator[tuple[str, int]]:
    """(server URL, id of a case stopped on an incident: its day-later script divided by zero)."""
    from engine.bpmn.deploy import deploy_directory
    from engine.db import make_sessions
    from engine.models import User
    from engine.runtime.timers import fire_due_timers
    from webapp.extensions import db, engine

    folder = tmp_path_factory.mktemp("incidents")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'incidents.sqlite'}",
                     UPLOAD_DIR=str(folder / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    models = folder / "models"
    models.mkdir()
    for name in ("incident_timer.bpmn", "start_incident_timer.json", "check_share.json"):
        shutil.copy(ENGINE_MODELS / name, models)
    with app.app_context():
        deploy_directory(db.session, models, now=engine().clock())
        manager = db.session.query(User).filter_by(username="manager_sh001").one()
        case = engine().start(db.session, "incident_timer", manager,
                              {"store_code": "SH001", "divisor": 0, "pad": 0})
        db.session.commit()
        fire_due_timers(engine(), make_sessions(db.engine), engine().clock() + timedelta(days=1, minutes=1))
    with serve(app, "incidents-server") as url:
        yield url, case.id


def test_an_administrator_retries_an_incident_on_a_phone(stopped_case, phone, pages, screenshot_dir):
    url, case_id = stopped_case
    pages = type(pages)(SimpleNamespace(url=url))  # the same steps, on this module's server
    pages.sign_in(phone, "admin")
    phone.goto(f"{url}/instances/{case_id}")
    panel = phone.locator("#incidents")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-incident-error]")).to_have_text("ZeroDivisionError: division by zero")
    pages.fits(phone)
    for button in (panel.locator("[data-incident-retry]"), panel.locator("[data-incident-resolve]")):
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, box
    phone.screenshot(path=str(screenshot_dir / "incident-panel-phone.png"), full_page=True)

    panel.locator("textarea[name=reason]").fill("门店实际分为4份")
    panel.locator("summary").click()
    panel.locator("textarea[name=data]").fill('{"divisor": 4}')
    panel.locator("[data-incident-retry]").click()
    expect(phone.locator(".alert-success")).to_contain_text("该步骤已重新执行成功")
    expect(phone.locator("#incidents [data-incident-status=resolved]")).to_have_count(1)
    expect(phone.locator("#open-steps [data-task-id]")).to_have_count(1)
    pages.fits(phone)
