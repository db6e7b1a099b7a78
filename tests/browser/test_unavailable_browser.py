"""The page a person sees while the database is unavailable: Chinese, fits a phone, a way to try again
that works once the database is back. The database really goes away: its folder is moved aside."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db

pytestmark = pytest.mark.browser


def test_the_unavailable_page_fits_a_phone_and_recovers(tmp_path, phone, screenshot_dir):
    folder = tmp_path / "db"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'live.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), WTF_CSRF_ENABLED=True)
    prepare(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        phone.goto(f"{url}/login")
        phone.fill("#username", "manager_sh001")
        phone.fill("#password", "demo123")
        phone.click("main button[type=submit]")
        phone.wait_for_url(f"{url}/tasks")

        folder.rename(tmp_path / "moved-away")
        with app.app_context():
            db.engine.dispose()
        response = phone.goto(f"{url}/tasks")
        assert response.status == 503 and response.headers["retry-after"] == "15"
        assert "服务暂时无法使用" in phone.inner_text("main")
        phone.screenshot(path=str(screenshot_dir / "unavailable-phone.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= phone.evaluate("window.innerWidth")
        for button in phone.locator("main a.btn").all():
            box = button.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, box

        (tmp_path / "moved-away").rename(folder)
        with phone.expect_navigation():
            phone.click("text=重试")
        assert phone.title().startswith("我的待办")
    finally:
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
