"""A case's steps are named as the case's own version names them (English and Chinese), not as the
latest version does: a case on version 1 whose step version 2 renamed shows its version-1 name on
待办, the task page and the case page, while a case started on version 2 shows the new name."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.bpmn import Upload, deploy_uploads
from engine.models import User
from webapp.extensions import db

from ..model_edits import BPMN, replace
from .conftest import csrf_token
from .test_api import COMPLAINT

OLD_EN, NEW_EN = "Investigate and propose resolution (store)", "Store investigation (new wording)"
OLD_ZH, NEW_ZH = "投诉调查与处理方案", "门店调查（新名称）"


def _rename_in_v2(app, app_clock) -> None:
    text = replace(BPMN.read_text("utf-8"), f'<bpmn:userTask id="investigate_store" name="{OLD_ZH}">',
                   f'<bpmn:userTask id="investigate_store" name="{NEW_ZH}">')
    text = replace(text, f'value="{OLD_EN}"', f'value="{NEW_EN}"')
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        deploy_uploads(db.session, admin, [Upload("complaint_handling.bpmn", text.encode())], app_clock(),
                       key="complaint_handling")
        db.session.commit()


def _start(api) -> tuple[int, int]:
    case = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert case.status_code == 201
    [task] = case.get_json()["open_tasks"]
    return case.get_json()["id"], task["id"]


@pytest.mark.parametrize("language, old, new", [("en", OLD_EN, NEW_EN), ("zh_Hans_CN", OLD_ZH, NEW_ZH)])
def test_each_case_shows_its_own_versions_step_names(app, app_clock, client, auth, api, language, old, new):
    v1_case, v1_task = _start(api)
    _rename_in_v2(app, app_clock)
    v2_case, v2_task = _start(api)
    auth.login("manager_sh001")
    client.post("/account/language", data={"csrf_token": csrf_token(client, "/tasks"), "locale": language})

    listed = client.get("/tasks").get_data(as_text=True)
    assert old in listed and new in listed  # one task of each version
    v1_page = client.get(f"/tasks/{v1_task}").get_data(as_text=True)
    assert old in v1_page and new not in v1_page
    assert new in client.get(f"/tasks/{v2_task}").get_data(as_text=True)
    case_page = client.get(f"/cases/{v1_case}").get_data(as_text=True)
    assert old in case_page and new not in case_page
    assert new in client.get(f"/cases/{v2_case}").get_data(as_text=True)
