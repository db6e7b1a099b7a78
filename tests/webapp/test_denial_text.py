"""Every refusal the engine words reaches people in their language: each wording of not found, not
allowed and not now raised anywhere in engine/ is known to webapp/ui/denial_text.py, each command's
refusal of its input (InvalidData) and the codes it gives its fields to webapp/ui/command_text.py;
and the API says them so."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from flask_babel import force_locale

from webapp.ui.command_text import known_field, known_message
from webapp.ui.denial_text import known_wording

ENGINE = Path(__file__).resolve().parents[2] / "engine"
REFUSALS = {"NotFound", "PermissionDenied", "Conflict", "ConcurrentUpdate", "TooSoon", "IncidentOpen",
            "SeededCase"}
#: a value of the right shape for each piece of an f-string, by what the expression names
SAMPLES = (("status", "running"), ("state", "completed"), ("username", "cs_li"), ("assignee", "cs_li"),
           ("waiting", "cs_li, director"), ("step", "审批"), ("name", "goods_arrived"),
           ("filename", "a.json"), ("key", "complaint_handling"), ("code", "SH001"), ("brief", "detail"),
           ("__name__", "ValueError"), ("wait", "90"), ("what", "cases"), ("id", "7"), ("version", "2"))


def _sample(expression: str) -> str:
    return next((value for word, value in SAMPLES if word in expression), "7")


def _wordings(refusals: set[str] = REFUSALS, argument: int = 0) -> list[tuple[str, str]]:
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in refusals and len(node.args) > argument):
                continue
            where = f"{path.relative_to(ENGINE.parent)}:{node.lineno}"
            given = node.args[argument]
            texts = (given.values if isinstance(given, ast.Dict) else []) if argument else [given]
            found.extend((where, text) for text in map(_render, texts) if text is not None)
    return found


def _render(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else _sample(ast.unparse(v.value))
                       for v in node.values)
    return None


WORDINGS = _wordings()
#: the form's own refusals are worded from their limits (webapp/ui/schema_text.py)
COMMANDS = [(w, m) for w, m in _wordings({"InvalidData"}) if not w.startswith("engine/forms/")]
FIELD_CODES = [(w, m) for w, m in _wordings({"InvalidData"}, 1) if not w.startswith("engine/forms/")]


def test_the_scan_finds_the_engines_refusals():
    assert len(WORDINGS) > 60


def test_each_wording_is_told_in_chinese_and_english(app):
    unknown, untold = [], []
    with app.test_request_context("/"):
        for where, message in WORDINGS:
            chinese = known_wording(message)
            if chinese is None:
                unknown.append(f"{where}: {message!r}")
            elif not re.search(r"[\u4e00-\u9fff]", chinese):
                untold.append(f"{where}: {chinese!r}")
            with force_locale("en"):
                english = known_wording(message)
                if english is not None and re.search(r"[\u4e00-\u9fff]", english.replace("审批", "")):
                    untold.append(f"{where} (en): {english!r}")
    assert not unknown, "not known to webapp/ui/denial_text.py:\n" + "\n".join(unknown)
    assert not untold, "\n".join(untold)


def test_each_commands_refusal_and_field_code_is_told(app):
    assert len(COMMANDS) > 50 and len(FIELD_CODES) > 40
    unknown = []
    with app.test_request_context("/"):
        unknown += [f"{w}: {m!r}" for w, m in COMMANDS if known_message(m) is None]
        unknown += [f"{w}: field {m!r}" for w, m in FIELD_CODES if known_field(m) is None]
    assert not unknown, "not known to webapp/ui/command_text.py:\n" + "\n".join(unknown)


def test_the_api_says_a_refusal_in_the_persons_language(client, api):
    assert api.as_("cs_li").get("/tasks/999999").get_json()["message"] == "任务 999999 不存在。"
    english = client.get("/api/v1/tasks/999999", headers={"Authorization": f"Bearer {api.token('cs_li')}",
                                                         "Accept-Language": "en"}).get_json()
    assert english["message"] == "Task 999999 does not exist."


def test_a_commands_refusal_reads_in_chinese(client, api, app):
    started = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "衣服开线", "amount_claimed": 0}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    body = api.as_("cs_li").post(f"/process-instances/{case_id}/comments", json={"body": "  "}).get_json()
    assert body == {"error": "invalid_data", "message": "评论内容不能为空。", "fields": {"body": "必填。"}}
