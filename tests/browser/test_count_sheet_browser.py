"""月度盘点's count sheet on a 390 px phone: 赵商品 starts a count for SH001, 张店长 reads the sheet from an
Excel workbook into the form (a damaged one is refused in Chinese, the form left as it was), checks the
rows and completes the count."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .handoff_walks import open_steps as _open_steps

pytestmark = pytest.mark.browser


def _workbook(path, *rows) -> None:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def test_the_count_sheet_read_from_excel_on_the_phone(live_server, pages, phone, tmp_path, screenshot_dir):
    url = live_server.url
    pages.sign_in(phone, "merch_zhao")
    phone.goto(f"{url}/processes/monthly_stocktake")
    phone.select_option("#f-store_code", "SH001")
    phone.click("#start-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    key = "ST-" + phone.locator(".alert-success").inner_text().split("ST-", 1)[1].split()[0].rstrip("。），)")
    [(task_id, element, _holder)] = _open_steps(live_server, key)
    assert element == "store_count"

    broken, sheet = tmp_path / "坏文件.xlsx", tmp_path / "盘点表.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    _workbook(sheet, ["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）"],
              ["W26-CT-3005", "双面羊绒大衣", 18, 620], ["W26-KN-2031", "羊毛针织开衫", 41, 150.5])
    pages.sign_in(phone, "manager_sh001")
    phone.goto(f"{url}/tasks/{task_id}")
    phone.set_input_files("#import-file-count_lines", str(broken))
    phone.locator("#import-count_lines button[type=submit]").click()
    expect(phone.locator(".alert-danger")).to_contain_text("文件不是 Excel 工作簿")
    phone.set_input_files("#import-file-count_lines", str(sheet))
    phone.locator("#import-count_lines button[type=submit]").click()
    expect(phone.locator(".alert-success")).to_contain_text("2")
    expect(phone.locator("#f-count_lines-1-sku")).to_have_value("W26-KN-2031")
    expect(phone.locator("#f-count_lines-1-unit_cost")).to_have_value("150.5")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "count-sheet-390.png"), full_page=True)
    phone.fill("#f-count_date", "2026-11-02")
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert [e for _id, e, _who in _open_steps(live_server, key)] == ["reconcile"]
