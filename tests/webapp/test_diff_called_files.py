"""The diff page of a process whose versions carry a called process's .bpmn too (stock_transfer calls
ship_goods): a change in the called file is listed with its file and drawable — a picker of the BPMN
files, each with the marks of its own changes, and `file=` drawing the called file from the start."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from engine.bpmn import Upload, deploy_uploads
from engine.models import User
from webapp.extensions import db

from ..model_edits import REPO, replace

KEY, CALLED = "stock_transfer", "ship_goods.bpmn"


def _deploy_changed_callee(app, app_clock) -> None:
    """Version 2 of stock_transfer: its own file as it was, the called file's store step renamed (the
    callee deployed first, then the caller, which takes the callee's current file)."""
    own = (REPO / "bpmn" / f"{KEY}.bpmn").read_text("utf-8")
    called = replace((REPO / "bpmn" / CALLED).read_text("utf-8"), 'name="门店拣货发货"',
                     'name="门店打包发货"')
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        deploy_uploads(db.session, admin, [Upload(CALLED, called.encode())], app_clock())  # ship_goods v2
        results = deploy_uploads(db.session, admin, [Upload(f"{KEY}.bpmn", own.encode())], app_clock())
        db.session.commit()
    assert {r.key: r.version for r in results}[KEY] == 2, results


def _marks(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="diff-marks">(.*?)</script>', html,
                                re.S).group(1))


def test_a_change_in_a_called_file_is_listed_and_drawable(app, app_clock, client, auth):
    _deploy_changed_callee(app, app_clock)
    auth.login("admin")
    html = client.get(f"/admin/models/{KEY}/diff?from=1&to=2").get_data(as_text=True)
    row = re.search(r'<tr id="change-ship_goods.bpmn:ship_from_store"[^>]*>', html)
    assert row and 'data-status="changed"' in row.group(0) and f'data-file="{CALLED}"' in row.group(0)
    assert "门店打包发货" in html
    picker = re.search(r'<select class="form-select" id="diff-file" name="file">(.*?)</select>', html, re.S)
    assert picker, "a picker of the versions' BPMN files"
    assert re.findall(r'<option value="([^"]+)"', picker.group(1)) == [f"{KEY}.bpmn", CALLED]
    assert f'data-new-url="/admin/models/{KEY}/2/files/{CALLED}"' in picker.group(1)
    marks = _marks(html)
    assert marks["files"][CALLED]["new"]["changed"] == ["ship_from_store"]
    assert marks["files"][f"{KEY}.bpmn"]["new"]["changed"] == []  # the process's own file is unchanged
    assert marks["new"]["changed"] == []  # drawn first: the process's own file
    assert f'data-diagram-url="/admin/models/{KEY}/2/files/{KEY}.bpmn"' in html

    called = client.get(f"/admin/models/{KEY}/diff?from=1&to=2&file={CALLED}").get_data(as_text=True)
    assert f'data-diagram-url="/admin/models/{KEY}/1/files/{CALLED}"' in called
    assert f'data-diagram-url="/admin/models/{KEY}/2/files/{CALLED}"' in called
    assert _marks(called)["old"]["changed"] == ["ship_from_store"]
    drawn = client.get(f"/admin/models/{KEY}/2/files/{CALLED}")
    assert drawn.status_code == 200 and "门店打包发货" in drawn.get_data(as_text=True)
    unknown = client.get(f"/admin/models/{KEY}/diff?from=1&to=2&file=nothing.bpmn").get_data(as_text=True)
    assert f'data-diagram-url="/admin/models/{KEY}/2/files/{KEY}.bpmn"' in unknown  # falls back to its own
