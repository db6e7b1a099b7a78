"""Sanity checks that the test services started by `make test` work."""

from urllib.parse import quote

import pytest
import sqlalchemy
from playwright.sync_api import sync_playwright


@pytest.mark.postgres
def test_postgres_answers(postgres_url):
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar_one() == 1
            assert conn.execute(sqlalchemy.text("show server_encoding")).scalar_one() == "UTF8"
            assert conn.execute(sqlalchemy.text("select '运营中心'")).scalar_one() == "运营中心"
    finally:
        engine.dispose()


@pytest.mark.browser
def test_chromium_screenshot(chromium_path, chromium_args, screenshot_dir):
    html = (
        "<html><head><title>OpsFlow 服务检查</title></head>"
        "<body style='font-family: sans-serif'><h1>OpsFlow 运营中心</h1>"
        "<p>PostgreSQL + Chromium 测试服务正常</p></body></html>"
    )
    out = screenshot_dir / "services-sanity.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=chromium_args)
        try:
            page = browser.new_page(viewport={"width": 640, "height": 240})
            page.goto("data:text/html;charset=utf-8," + quote(html))
            assert page.title() == "OpsFlow 服务检查"
            page.screenshot(path=str(out))
        finally:
            browser.close()
    assert out.stat().st_size > 1000
