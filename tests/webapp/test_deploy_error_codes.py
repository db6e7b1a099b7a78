"""A refused model upload told from its reason code and values, in the person's language (Chinese by
default, English when chosen) on the admin model page, and in API error bodies that name the file,
the element and the reason."""
from __future__ import annotations

import io
import re
from pathlib import Path

from flask_babel import force_locale

from engine.errors import DeployError
from webapp.ui.deploy_text import deploy_error_text

REPO = Path(__file__).resolve().parents[2]
BPMN = (REPO / "bpmn" / "complaint_handling.bpmn").read_text("utf-8")


def bad_due_hours() -> tuple[str, str]:
    """The model with its first user task's due hours made nonsense, and that task's id."""
    found = re.search(r'<bpmn:userTask id="([^"]+)"(?:(?!</bpmn:userTask>).)*?'
                      r'name="dueInHours" value="([^"]+)"', BPMN, re.S)
    element, hours = found.group(1), found.group(2)
    start = found.start()
    end = found.end()
    return BPMN[:start] + found.group(0).replace(f'value="{hours}"', 'value="soon"') + BPMN[end:], element


def upload(client, auth, locale: str | None):
    auth.login("admin")
    if locale:
        html = client.get("/tasks").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        client.post("/account/language", data={"locale": locale, "next": "/tasks", "csrf_token": csrf})
    text, element = bad_due_hours()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     client.get("/admin/models").get_data(as_text=True)).group(1)
    response = client.post("/admin/models/complaint_handling", content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(text.encode("utf-8")), "complaint_handling.bpmn")],
                                 "csrf_token": csrf})
    return response, element


def test_the_admin_page_tells_a_refusal_in_chinese_by_default(client, auth):
    response, element = upload(client, auth, None)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    line = BPMN[:BPMN.index(f'<bpmn:userTask id="{element}"')].count("\n") + 1
    assert (f"complaint_handling.bpmn 第 {line} 行 元素 {element}："
            "dueInHours（办理时限）须为大于 0 的小时数，不能是 soon。") in html


def test_the_admin_page_tells_a_refusal_in_english_when_chosen(client, auth):
    response, element = upload(client, auth, "en")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    line = BPMN[:BPMN.index(f'<bpmn:userTask id="{element}"')].count("\n") + 1
    assert (f"complaint_handling.bpmn, line {line}, element {element}: dueInHours must be a number of hours "
            "above 0, not soon.") in html


def test_api_error_bodies_name_file_element_and_reason_in_either_language(app):
    error = DeployError("p.bpmn, element review: lane 'boss' is not a role (roles: cs_agent)",
                        filename="p.bpmn", element="review", line=12, reason="lane_not_role",
                        params={"lane": "boss", "roles": "cs_agent"})
    for language, message in (("zh-CN", "p.bpmn 第 12 行 元素 review：泳道 boss 不是角色"
                                        "（可用角色：cs_agent）。"),
                              ("en", "p.bpmn, line 12, element review: Lane boss is not a role (roles: "
                                     "cs_agent).")):
        with app.test_request_context("/api/v1/processes/p/versions", method="POST",
                                      headers={"Accept-Language": language}):
            response = app.make_response(app.handle_user_exception(error))
        assert response.status_code == 422
        assert response.get_json() == {"error": "invalid_model", "message": message, "fields": {},
                                       "filename": "p.bpmn", "element": "review", "line": 12,
                                       "reason": "lane_not_role",
                                       "params": {"lane": "boss", "roles": "cs_agent"}}


def test_every_reason_the_engine_gives_has_words_in_both_languages(app):
    """Each code of the engine's refusals is in the table, so none falls back to the English message."""
    import ast

    from webapp.ui.deploy_codes import CODES
    given = set()
    for path in (REPO / "engine" / "bpmn").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.keyword) and node.arg == "reason"
                    and isinstance(node.value, ast.Constant)):
                given.add(node.value.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("problem",) and node.args \
                    and isinstance(node.args[0], ast.Constant):
                given.add(node.args[0].value)
    assert given and given <= set(CODES), given - set(CODES)
    with app.test_request_context("/"):
        for code in sorted(given):
            error = DeployError("x", filename="p.bpmn", element="e", reason=code,
                                params={"detail": "d", "what": "script"})
            chinese = deploy_error_text(error)
            with force_locale("en"):
                english = deploy_error_text(error)
            assert chinese.startswith("p.bpmn 元素 e：") or chinese.startswith("p.bpmn（"), (code, chinese)
            assert english.startswith("p.bpmn, element e: ") or english.startswith("p.bpmn (the form"), \
                (code, english)
