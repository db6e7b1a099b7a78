"""Administrators keep the group robots (issue 12): the secret is write-only, the scope is checked
against the directory, every change is audited, a test message goes out at once; the startup
configuration sets the operations center's robot."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.delivery import (
    RobotTransport,
    delete_robot,
    enqueue,
    ensure_center_robot,
    get_robot,
    list_robots,
    outbox_row,
    save_robot,
    send_test_message,
    set_robot_active,
)
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.models import AuditEvent, OutboxMessage, Robot
from tests.robot_endpoint import start_endpoint, stop_endpoint

FIELDS = dict(name="南京路店群", kind="dingtalk", scope="store", scope_value="sh001",
              url="https://oapi.dingtalk.com/robot/send?access_token=tok", secret="s3cret",
              events=["task_created", "case_ended"], active=True)


def _audit(session):
    return [(e.event_type, e.message, e.data) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id.is_(None)).order_by(AuditEvent.id))]


def test_create_edit_keep_the_secret_deactivate_delete(session, people, root, clock):
    row = save_robot(session, root, None, now=clock(), **FIELDS)
    session.commit()
    assert (row.scope_value, row.has_secret, row.events, row.url_hint) == (
        "SH001", True, ("task_created", "case_ended"), "https://oapi.dingtalk.com/…")
    assert not hasattr(row, "secret")
    changed = save_robot(session, root, row.id, now=clock(), **{**FIELDS, "secret": "", "name": "南京路"})
    session.commit()
    assert changed.has_secret and session.get(Robot, row.id).secret == "s3cret"  # empty keeps it
    save_robot(session, root, row.id, now=clock(), **{**FIELDS, "secret": "new"})
    session.commit()
    assert session.get(Robot, row.id).secret == "new"
    cleared = save_robot(session, root, row.id, now=clock(), clear_secret=True, **{**FIELDS, "secret": ""})
    assert not cleared.has_secret
    set_robot_active(session, root, row.id, False, clock())
    session.commit()
    assert [r.active for r in list_robots(session, root)] == [False]
    audit = _audit(session)
    assert [a[0] for a in audit] == ["robot_created", "robot_changed", "robot_changed", "robot_changed",
                                     "robot_changed"]
    assert "s3cret" not in repr(audit) and "tok" not in repr(audit)
    assert "new" not in repr([a[2] for a in audit])
    assert audit[1][2] == {"changes": {"name": ["南京路店群", "南京路"]}}
    assert audit[2][2] == {"changes": {"name": ["南京路", "南京路店群"], "secret": ["…", "…"]}}
    enqueue(session, [outbox_row("dingtalk", "task_created", {}, clock(), robot_id=row.id)])
    session.commit()
    delete_robot(session, root, row.id, clock())
    session.commit()
    assert list_robots(session, root) == []
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # its messages go with it
    with pytest.raises(NotFound):
        get_robot(session, root, row.id)


@pytest.mark.parametrize("change,fields", [
    ({"name": " "}, {"name": "required"}),
    ({"kind": "slack"}, {"kind": "unknown"}),
    ({"scope": "city"}, {"scope": "unknown"}),
    ({"scope_value": "XX999"}, {"scope_value": "unknown"}),
    ({"scope_value": ""}, {"scope_value": "required"}),
    ({"scope": "region", "scope_value": "SOUTH"}, {"scope_value": "unknown"}),
    ({"url": "ftp://x/y"}, {"url": "invalid"}),
    ({"url": ""}, {"url": "required"}),
    ({"events": ["task_created", "everything"]}, {"events": "unknown"}),
    ({"secret": "x" * 256}, {"secret": "too_long"}),
])
def test_a_bad_robot_is_refused_field_by_field(session, people, root, clock, change, fields):
    with pytest.raises(InvalidData) as refused:
        save_robot(session, root, None, now=clock(), **{**FIELDS, **change})
    assert refused.value.fields == fields
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Robot)) == 0


def test_region_and_center_scopes(session, people, root, clock):
    east = save_robot(session, root, None, now=clock(),
                      **{**FIELDS, "scope": "region", "scope_value": "east"})
    center = save_robot(session, root, None, now=clock(),
                        **{**FIELDS, "scope": "center", "scope_value": "SH001"})
    assert (east.scope_value, center.scope_value) == ("EAST", None)


def test_only_an_administrator_keeps_robots(session, people, root, clock):
    row = save_robot(session, root, None, now=clock(), **FIELDS)
    session.commit()
    manager = people["manager_sh001"]
    for attempt in (lambda: list_robots(session, manager), lambda: get_robot(session, manager, row.id),
                    lambda: save_robot(session, manager, None, now=clock(), **FIELDS),
                    lambda: set_robot_active(session, manager, row.id, False, clock()),
                    lambda: delete_robot(session, manager, row.id, clock())):
        with pytest.raises(PermissionDenied):
            attempt()
    assert session.get(Robot, row.id).active


def test_a_test_message_goes_out_at_once_signed(session, people, root, clock):
    endpoint = start_endpoint()
    try:
        url = endpoint.url("/robot/send?access_token=t")
        row = save_robot(session, root, None, now=clock(), **{**FIELDS, "url": url})
        outcome = send_test_message(session, root, row.id, RobotTransport(clock), title="测试消息",
                                    lines=["来自 OpsFlow 的测试"], link_url=None, link_text="打开",
                                    now=clock())
        assert outcome.ok
        [got] = endpoint.received
        assert got.body == {"msgtype": "markdown",
                            "markdown": {"title": "测试消息", "text": "### 测试消息\n\n来自 OpsFlow 的测试"}}
        assert got.query["sign"] and got.query["timestamp"]
        endpoint.replies.append((200, {"errcode": 310000, "errmsg": "sign not match"}))
        failed = send_test_message(session, root, row.id, RobotTransport(clock), title="t", lines=[],
                                   link_url=None, link_text="x", now=clock())
        assert not failed.ok and "310000" in failed.error
    finally:
        stop_endpoint(endpoint)
    with pytest.raises(PermissionDenied):
        send_test_message(session, people["cs_li"], row.id, RobotTransport(clock), title="t", lines=[],
                          link_url=None, link_text="x", now=clock())


def test_the_environment_sets_the_center_robot_and_updates_it(session, clock):
    wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    first = ensure_center_robot(session, wecom, "wecom", None, clock())
    session.commit()
    assert (first.scope, first.kind, first.events, first.active, first.has_secret) == (
        "center", "wecom", ("task_overdue", "case_ended"), True, False)
    feishu = "https://open.feishu.cn/open-apis/bot/v2/hook/h"
    again = ensure_center_robot(session, feishu, "feishu", "sec", clock())
    session.commit()
    assert again.id == first.id and (again.kind, again.has_secret) == ("feishu", True)
    same = ensure_center_robot(session, feishu, "feishu", None, clock())
    assert same.has_secret  # no secret given: the stored one stays
    assert [e[0] for e in _audit(session)] == ["robot_created", "robot_changed"]
    with pytest.raises(InvalidData):
        ensure_center_robot(session, "not a url", "wecom", None, clock())
