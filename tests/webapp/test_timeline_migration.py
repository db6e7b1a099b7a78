"""A case moved to another version says so on its timeline, with the timers the move armed afresh
(counted from the move) and those it disarmed, named as the model names them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask_babel import force_locale

from engine.views import EventView
from webapp.ui.case_text import history

MOVED = EventView(1, "case_migrated", datetime(2026, 11, 2, tzinfo=timezone.utc), "root", None, "1 → 2",
                  {"from": 1, "to": 2, "timers": {"armed": ["chase_fix"], "disarmed": ["remind_fix"]}})
NAMES = {"chase_fix": "3小时催办", "remind_fix": "24小时未整改"}


@pytest.mark.parametrize("language, text, note", [
    ("zh_Hans_CN", "管理员", "计时从迁移时起重新计算：3小时催办 · 已撤除的计时：24小时未整改"),
    ("en", "version 1 to version 2",
     "Timers counted afresh from the move: 3小时催办 · Timers removed: 24小时未整改"),
])
def test_the_move_and_its_timers_are_on_the_timeline(app, language, text, note):
    with app.test_request_context("/"), force_locale(language):
        [entry] = history([MOVED], "escalation", {"root": "管理员"}, {}, None, NAMES)
    assert text in entry.text and entry.note == note


def test_a_move_that_left_the_timers_alone_has_no_note(app):
    quiet = EventView(1, "case_migrated", MOVED.at, "root", None, "", {"from": 1, "to": 2})
    with app.test_request_context("/"), force_locale("en"):
        [entry] = history([quiet], "escalation", {}, {}, None, {})
    assert entry.note == ""
