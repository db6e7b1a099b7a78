"""The count sheet on the task page: a CSV file read into the form as the counter's draft, and a file
that cannot be read said so in the person's language."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook

from webapp.ui.command_text import known_message

from .conftest import csrf_token

SHEET = ("款号（SKU）,品名,实盘数量（件）,成本单价（元）\n"
         "W26-CT-3005,双面羊绒大衣,18,620\n").encode("utf-8-sig")


def _count_task(api) -> int:
    case = api.as_("merch_zhao").post("/processes/monthly_stocktake/instances",
                                      json={"data": {"store_code": "SH001"}}).get_json()
    return case["open_tasks"][0]["id"]


def _upload(client, task_id: int, content: bytes):
    return client.post(f"/tasks/{task_id}/import/count_lines", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(client, f"/tasks/{task_id}"),
                             "file": (io.BytesIO(content), "sheet.csv")}, follow_redirects=True)


def test_the_sheet_becomes_the_draft_shown_in_the_form(client, auth, api):
    task_id = _count_task(api)
    auth.login("manager_sh001")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="import-count_lines"' in page
    shown = _upload(client, task_id, SHEET)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "W26-CT-3005" in html and "双面羊绒大衣" in html
    assert "已从文件读入 1 行" in html or "1 rows read" in html
    refused = _upload(client, task_id, b"code,qty\nx,1\n").get_data(as_text=True)
    assert "首行没有任何表单列名" in refused or "names none of the form's columns" in refused


def test_only_the_counter_may_upload(client, auth, api):
    task_id = _count_task(api)
    auth.login("manager_sh002")
    response = client.post(f"/tasks/{task_id}/import/count_lines", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(client, "/tasks"),
                                 "file": (io.BytesIO(SHEET), "sheet.csv")})
    assert response.status_code in (403, 404)


def _workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload_named(client, task_id: int, content: bytes, name: str):
    return client.post(f"/tasks/{task_id}/import/count_lines", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(client, f"/tasks/{task_id}"),
                             "file": (io.BytesIO(content), name)}, follow_redirects=True)


def test_an_excel_sheet_becomes_the_draft_and_a_bad_one_is_said_so(client, auth, api):
    task_id = _count_task(api)
    auth.login("manager_sh001")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert ".xlsx" in page
    sheet = _workbook(["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）"],
                      ["W26-CT-3005", "双面羊绒大衣", 18, 620])
    html = _upload_named(client, task_id, sheet, "盘点表.xlsx").get_data(as_text=True)
    assert "W26-CT-3005" in html and "已从文件读入 1 行" in html
    refused = _upload_named(client, task_id, b"not a workbook", "盘点表.xlsx").get_data(as_text=True)
    assert "文件不是 Excel 工作簿（.xlsx）" in refused, re.findall(r"alert.{0,300}", refused, re.S)
    refused = _upload_named(client, task_id, _workbook(["sku", "counted_quantity"], ["A-1", "=1+1"]),
                            "f.xlsx").get_data(as_text=True)
    assert "B2" in refused and "请在 Excel 中打开文件并保存" in refused
    shown = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "A-1" not in shown and "W26-CT-3005" in shown


def test_the_workbook_refusals_are_told(app):
    from engine.forms import workbook
    with app.test_request_context("/"):
        for message in (workbook.NOT_XLSX, workbook.OLD_XLS, "the file is larger than 20000 kB unpacked",
                        "formulas with no saved value (open the file in Excel and save it): B2, C2"):
            assert known_message(message), message


def test_an_empty_sheet_in_both_formats_reads_back_as_nothing_to_fill(client, auth, api):
    task_id = _count_task(api)
    auth.login("manager_sh001")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    base = f"/tasks/{task_id}/import/count_lines/template"
    assert f'href="{base}.xlsx"' in page and f'href="{base}.csv"' in page
    header = ["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）"]
    csv_file = client.get(f"{base}.csv")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_file.get_data().decode("utf-8-sig").strip() == ",".join(header)
    xlsx_file = client.get(f"{base}.xlsx")
    assert xlsx_file.status_code == 200 and "attachment" in xlsx_file.headers["Content-Disposition"]
    assert "%E7%9B%98%E7%82%B9%E6%98%8E%E7%BB%86.xlsx" in xlsx_file.headers["Content-Disposition"]  # 盘点明细
    book = load_workbook(io.BytesIO(xlsx_file.get_data()))
    assert [c.value for c in book.worksheets[0][1]] == header
    filled = book.worksheets[0]
    filled.append(["W26-CT-3005", "双面羊绒大衣", 18, 620])
    out = io.BytesIO()
    book.save(out)
    assert "已从文件读入 1 行" in _upload_named(client, task_id, out.getvalue(), "盘点明细.xlsx").get_data(
        as_text=True)
    for wrong in (f"{base}.pdf", f"/tasks/{task_id}/import/count_date/template.csv"):
        assert client.get(wrong).status_code == 404
    auth.logout()
    auth.login("manager_sh002")
    assert client.get(f"{base}.xlsx").status_code in (403, 404)
