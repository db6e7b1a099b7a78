"""What administrators change leaves a trail: who, when, what, and the values before and after
(never a password); refused changes leave none; only administrators read it."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.access.admin import recent_changes
from engine.access.grants import Grant
from engine.bpmn import versions as model_admin
from engine.bpmn.versions import Upload
from engine.directory import people as directory
from engine.directory import stores as directory_stores
from engine.directory.people import DirectoryRules
from engine.errors import InvalidData, PermissionDenied

RULES = DirectoryRules(role_scopes={"admin": "company", "cs_agent": "company", "store_manager": "store"})
MODELS = Path(__file__).parents[1] / "fixture_models"



def trail(session, root):
    return [(e.event_type, e.actor, e.message, e.data) for e in reversed(recent_changes(session, root))]


def test_every_change_of_people_stores_and_models_is_on_the_trail(session, people, deployed, root, clock):
    user = directory.create_user(session, root, RULES, now=clock(), username="li.na", password="longenough",
                                 display_name="李娜", roles=[Grant("store_manager", "SH002")])
    directory.update_user(session, root, RULES, user.id, display_name="李娜", email="li@example.cn",
                          locale="en", active=True, roles=[Grant("store_manager", "SH002")], now=clock())
    directory.update_user(session, root, RULES, user.id, display_name="李娜", email="li@example.cn",
                          locale="en", active=True, roles=[Grant("store_manager", "SH002")], now=clock())
    directory.set_roles(session, root, RULES, user.id, [Grant("cs_agent")], now=clock())
    directory.reset_password(session, root, user.id, "another-one", now=clock())
    directory_stores.create_store(session, root, code="HZ002", name="杭州西湖店", region="EAST", now=clock())
    directory_stores.update_store(session, root, "HZ002", name="杭州西湖店", region="EAST", kind="direct",
                                  status="open", now=clock())
    form = (MODELS / "report.json").read_text("utf-8").replace('"maxLength": 200', '"maxLength": 100')
    model_admin.deploy_uploads(session, root, [Upload("report.json", form.encode())], clock(),
                               key="lanes_gateway")
    session.commit()
    assert trail(session, root) == [
        ("user_created", "root", "li.na", {"after": {"display_name": "李娜", "email": None, "locale": "zh_CN",
                                                     "active": True, "roles": ["store_manager:SH002"]}}),
        ("user_changed", "root", "li.na",
         {"changes": {"email": [None, "li@example.cn"], "locale": ["zh_CN", "en"]}}),
        # the second, identical save changed nothing and left nothing
        ("user_changed", "root", "li.na", {"changes": {"roles": [["store_manager:SH002"], ["cs_agent"]]}}),
        ("password_reset", "root", "li.na", None),
        ("store_created", "root", "HZ002", {"after": {"name": "杭州西湖店", "name_en": "", "kind": "direct",
                                                      "region": "EAST", "city": "", "status": "planned",
                                                      "address": "", "owner": ""}}),
        ("store_changed", "root", "HZ002", {"changes": {"status": ["planned", "open"]}}),
        ("model_deployed", "root", "lanes_gateway", {"version": 2, "uploaded": ["report.json"]}),
    ]
    assert all(e.at == clock() for e in recent_changes(session, root))


def test_a_refused_change_leaves_no_trail_and_others_cannot_read_it(session, people, root, clock):
    with pytest.raises(InvalidData):
        directory.create_user(session, root, RULES, now=clock(), username="x", password="short")
    session.rollback()
    assert recent_changes(session, root) == []
    with pytest.raises(PermissionDenied):
        recent_changes(session, people["director"])
