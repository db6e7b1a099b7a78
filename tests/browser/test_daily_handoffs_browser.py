"""A daily hand-off end to end in chromium, each step done by its demo user on a 390 px phone: 张店长
(SH001) asks SH002 for five coats (货品调拨), 赵商品 approves it from 待办, SH002's manager ships it
from the task page the called 发货 gives her, and 张店长 confirms the receipt; nobody else is offered a
step of it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .handoff_walks import case_state as _case
from .handoff_walks import nobody_else_sees as _nobody_else_sees
from .handoff_walks import open_steps as _open_steps

pytestmark = pytest.mark.browser


def test_a_stock_transfer_from_request_to_receipt_on_the_phone(live_server, pages, phone, screenshot_dir):
    url = live_server.url
    pages.sign_in(phone, "manager_sh001")
    phone.goto(f"{url}/processes/stock_transfer")
    phone.select_option("#f-store_code", "SH001")
    phone.locator("label[for=f-ship_from-1]").click()  # 门店
    phone.fill("#f-from_store", "SH002")
    phone.fill("#f-items-0-sku", "W26-CT-3005")
    phone.fill("#f-items-0-name", "双面羊绒大衣")
    phone.fill("#f-items-0-colour_size", "黑色/L")
    phone.fill("#f-items-0-quantity", "5")
    phone.fill("#f-items-0-unit_price", "1599")
    phone.fill("#f-reason", "周末大衣断码，调货补足尺码")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "transfer-start-390.png"), full_page=True)
    phone.click("#start-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    key = phone.locator(".alert-success").inner_text().split("TF-", 1)[1].split()[0].rstrip("。），)")
    key = f"TF-{key}"
    [(task_id, element, _holder)] = _open_steps(live_server, key)
    assert element == "merchandiser_approval"
    _nobody_else_sees(phone, pages, url, key, "manager_sh002", "cs_li", "warehouse_qian")

    # 赵商品 approves from 待办 in one tap (the form is only the decision and a comment)
    pages.sign_in(phone, "merch_zhao")
    phone.goto(f"{url}/tasks?q={key}")
    phone.click(f"#task-{task_id}-choice-true")
    expect(phone.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    # the called 发货: SH002's manager ships from her task page, the lines filled in from the request
    # (hers, or her store's pool when another browser test gave SH002 a second manager)
    [(task_id, element, holder)] = _open_steps(live_server, key)
    assert element == "ship_from_store" and holder in ("manager_sh002", None)
    _nobody_else_sees(phone, pages, url, key, "manager_sh001", "warehouse_qian")
    pages.sign_in(phone, "manager_sh002")
    phone.goto(f"{url}/tasks/{task_id}")
    expect(phone.locator("main")).to_contain_text("双面羊绒大衣")
    phone.fill("#f-logistics_company", "顺丰速运")
    phone.fill("#f-logistics_no", "SF1029384756")
    phone.fill("#f-shipped_date", "2026-11-03")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "transfer-ship-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 张店长 confirms the five coats arrived
    [(task_id, element, holder)] = _open_steps(live_server, key)
    assert element == "confirm_receipt" and holder in ("manager_sh001", None)
    pages.sign_in(phone, "manager_sh001")
    phone.goto(f"{url}/tasks/{task_id}")
    expect(phone.locator("main")).to_contain_text("SF1029384756")
    phone.fill("#f-received_date", "2026-11-05")
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _open_steps(live_server, key) == []
    assert _case(live_server, key) == ("completed", "transferred")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a receipt photo as the upload check reads it (its first bytes)


def test_an_expense_claim_with_its_receipt_from_claim_to_payment(live_server, pages, phone, tmp_path,
                                                                   screenshot_dir):
    """费用报销: without a receipt the claim is refused beside the photo field and nothing starts; with
    one it starts, the region's supervisor approves it from 待办, finance pays it on its task page."""
    url = live_server.url
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(PNG)
    pages.sign_in(phone, "manager_sh001")
    phone.goto(f"{url}/processes/expense_claim")
    phone.select_option("#f-store_code", "SH001")
    phone.locator("label[for=f-claim_type-1]").click()  # 费用报销
    phone.fill("#f-purpose", "11月门店耗材")
    phone.select_option("#f-claim_lines-0-category", "store_supplies")
    phone.fill("#f-claim_lines-0-expense_date", "2026-10-28")
    phone.fill("#f-claim_lines-0-amount", "386.5")
    phone.click("#start-button")
    expect(phone.locator("#f-photos-error")).to_be_visible()  # an expense needs its receipt
    expect(phone.locator("#f-purpose")).to_have_value("11月门店耗材")  # nothing typed is lost
    phone.set_input_files("#f-photos", str(receipt))
    pages.fits(phone)
    phone.click("#start-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    key = "EX-" + phone.locator(".alert-success").inner_text().split("EX-", 1)[1].split()[0].rstrip("。），)")
    [(task_id, element, holder)] = _open_steps(live_server, key)
    assert (element, holder) == ("supervisor_approval", "supervisor_east")
    _nobody_else_sees(phone, pages, url, key, "manager_sh002", "finance_wu")

    pages.sign_in(phone, "supervisor_east")
    phone.goto(f"{url}/tasks?q={key}")
    phone.click(f"#task-{task_id}-choice-true")
    expect(phone.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    [(task_id, element, holder)] = _open_steps(live_server, key)
    assert (element, holder) == ("payment", "finance_wu")
    pages.sign_in(phone, "finance_wu")
    phone.goto(f"{url}/tasks/{task_id}")
    expect(phone.locator("main")).to_contain_text("receipt.png")  # the receipt, beside the claim
    phone.locator("label[for=f-payment_method-1]").click()  # 银行转账
    phone.fill("#f-payment_no", "PAY-2026-1105")
    phone.fill("#f-paid_date", "2026-11-05")
    phone.screenshot(path=str(screenshot_dir / "expense-payment-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _case(live_server, key) == ("completed", "paid")
