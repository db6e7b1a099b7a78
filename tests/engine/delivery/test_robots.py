"""Group robots (issue 12): each robot's documented message format and signature, and the HTTP
transport against a real local server standing in for the robot: errors, retries, rate limits."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

import pytest

from engine.clock import FrozenClock
from engine.delivery import Rendered, RobotTransport, robot_body, signed_request
from engine.delivery.robots import merged_body, robot_text
from tests.robot_endpoint import start_endpoint, stop_endpoint

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
LINES = ["单号：CASE-20261102-00042", "步骤：店长处理", "截止：11月2日 13:00"]
LINK = "https://ops.example/tasks/7"


@pytest.fixture
def robot():
    endpoint = start_endpoint()
    yield endpoint
    stop_endpoint(endpoint)


def test_wecom_is_markdown_with_the_link_inline():
    assert robot_body("wecom", "新任务：顾客投诉", LINES, LINK, link_text="打开") == {
        "msgtype": "markdown", "markdown": {"content": "**新任务：顾客投诉**\n单号：CASE-20261102-00042\n"
                                                     "步骤：店长处理\n截止：11月2日 13:00\n[打开](https://ops.example/tasks/7)"}}


def test_dingtalk_is_an_action_card_with_one_button_or_markdown_without_a_link():
    assert robot_body("dingtalk", "新任务", LINES[:1], LINK, link_text="打开") == {
        "msgtype": "actionCard", "actionCard": {
            "title": "新任务", "text": "### 新任务\n\n单号：CASE-20261102-00042", "btnOrientation": "0",
            "singleTitle": "打开", "singleURL": LINK}}
    assert robot_body("dingtalk", "新任务", LINES[:1], None) == {
        "msgtype": "markdown",
        "markdown": {"title": "新任务", "text": "### 新任务\n\n单号：CASE-20261102-00042"}}


def test_feishu_is_an_interactive_card_with_a_link_button():
    assert robot_body("feishu", "新任务", LINES[:2], LINK, link_text="Open") == {
        "msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": "新任务"}, "template": "blue"},
            "elements": [
                {"tag": "div",
                 "text": {"tag": "lark_md", "content": "单号：CASE-20261102-00042\n步骤：店长处理"}},
                {"tag": "action", "actions": [{
                    "tag": "button", "text": {"tag": "plain_text", "content": "Open"}, "type": "primary",
                    "url": LINK}]}]}}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        robot_body("slack", "t", [], None)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_body_reads_back_and_merges(kind):
    one, two = robot_body(kind, "甲", ["a1", "a2"], LINK), robot_body(kind, "乙", ["b1"], None)
    assert robot_text(kind, one)[:3] == ("甲", ["a1", "a2"], LINK)
    merged = robot_text(kind, merged_body(kind, [one, two]))
    assert merged[0] == "甲 (+1)"
    assert merged[1] == [f"**[甲]({LINK})**", "a1", "a2", "**乙**", "b1"]


def test_wecom_text_is_cut_to_its_limit_on_a_character():
    body = robot_body("wecom", "长", ["字" * 3000], None)
    content = body["markdown"]["content"]
    assert len(content.encode()) <= 4000 and content.endswith("…")


def test_dingtalk_signs_in_the_query_with_milliseconds():
    url, body = signed_request("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECret",
                               {"msgtype": "markdown"}, NOW)
    stamp = int(NOW.timestamp() * 1000)
    digest = hmac.new(b"SECret", f"{stamp}\nSECret".encode(), hashlib.sha256).digest()
    assert url == (f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp={stamp}"
                   f"&sign={quote_plus(base64.b64encode(digest).decode())}")
    assert body == {"msgtype": "markdown"}


def test_feishu_signs_in_the_body_with_seconds_and_the_string_as_key():
    url, body = signed_request("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", "SECret",
                               {"msg_type": "interactive"}, NOW)
    stamp = int(NOW.timestamp())
    digest = hmac.new(f"{stamp}\nSECret".encode(), b"", hashlib.sha256).digest()
    assert url == "https://open.feishu.cn/open-apis/bot/v2/hook/x"
    assert body == {"timestamp": str(stamp), "sign": base64.b64encode(digest).decode(),
                    "msg_type": "interactive"}


def test_no_secret_no_signature_and_wecom_never_signs():
    assert signed_request("dingtalk", "u", None, {"a": 1}, NOW) == ("u", {"a": 1})
    assert signed_request("wecom", "u", "s", {"a": 1}, NOW) == ("u", {"a": 1})


def _msg(i, kind, url, secret=None, title=None):
    body = robot_body(kind, title or f"消息{i}", [f"行{i}"], LINK)
    return Rendered(outbox_id=i, channel=kind, to=url, body=body, secret=secret)


def test_each_robot_gets_its_exact_json_and_a_valid_signature(robot):
    clock = FrozenClock(NOW)
    transport = RobotTransport(clock)
    wecom = _msg(1, "wecom", robot.url("/cgi-bin/webhook/send?key=abc"))
    ding = _msg(2, "dingtalk", robot.url("/robot/send?access_token=tok"), secret="ding-secret")
    fei = _msg(3, "feishu", robot.url("/open-apis/bot/v2/hook/hook1"), secret="fei-secret")
    outcomes = transport.send([wecom, ding, fei])
    assert [(o.outbox_id, o.ok) for o in outcomes] == [(1, True), (2, True), (3, True)]
    w, d, f = robot.received
    assert (w.path, w.query, w.body) == ("/cgi-bin/webhook/send", {"key": "abc"}, wecom.body)
    assert w.headers["content-type"] == "application/json; charset=utf-8"
    assert "消息1" in w.raw.decode()  # UTF-8, not \u escapes
    # DingTalk: the robot recomputes the signature from the timestamp in the query
    assert d.path == "/robot/send" and d.body == ding.body and d.query["access_token"] == "tok"
    stamp = d.query["timestamp"]
    assert stamp == str(int(NOW.timestamp() * 1000))
    expected = base64.b64encode(hmac.new(b"ding-secret", f"{stamp}\nding-secret".encode(),
                                         hashlib.sha256).digest()).decode()
    assert d.query["sign"] == expected  # parse_qs decoded the URL-encoding once
    # Feishu: timestamp and sign in the body, beside the card
    assert f.body["timestamp"] == str(int(NOW.timestamp()))
    assert f.body["sign"] == base64.b64encode(hmac.new(f"{f.body['timestamp']}\nfei-secret".encode(), b"",
                                                       hashlib.sha256).digest()).decode()
    assert {k: v for k, v in f.body.items() if k not in ("timestamp", "sign")} == fei.body


def test_a_500_is_retried_and_the_rest_held_back_in_order(robot):
    clock = FrozenClock(NOW)
    transport = RobotTransport(clock)
    robot.replies.append((500, {"error": "down"}))
    first, second = _msg(1, "wecom", robot.url()), _msg(2, "wecom", robot.url())
    bad, held = transport.send([first, second])
    assert (bad.ok, bad.retry, bad.retry_at) == (False, True, None) and bad.error.startswith("HTTP 500")
    assert (held.ok, held.retry) == (False, True) and held.retry_at == NOW + timedelta(seconds=30)
    clock.advance(seconds=30)
    assert [o.ok for o in transport.send([first, second])] == [True, True]
    assert [r.body["markdown"]["content"].split("\n")[0] for r in robot.received] == [
        "**消息1**", "**消息1**", "**消息2**"]


@pytest.mark.parametrize("kind,answer,retry", [
    ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, False),
    ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, False),
    ("feishu", {"code": 19021, "msg": "sign match fail"}, False),
    ("wecom", {"errcode": -1, "errmsg": "system busy"}, True),
])
def test_an_error_code_in_a_200_is_an_error(robot, kind, answer, retry):
    robot.replies.append((200, answer))
    [o] = RobotTransport(FrozenClock(NOW)).send([_msg(1, kind, robot.url())])
    assert (o.ok, o.retry, o.retry_at) == (False, retry, None)
    assert str(answer.get("errcode", answer.get("code"))) in o.error


def test_a_robot_that_cannot_be_reached_is_retried():
    [o] = RobotTransport(FrozenClock(NOW), timeout=1).send([_msg(1, "wecom", "http://127.0.0.1:9/send")])
    assert (o.ok, o.retry) == (False, True) and o.error


@pytest.mark.parametrize("kind,answer", [("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"}),
                                         ("dingtalk", {"errcode": 130101, "errmsg": "send too fast"}),
                                         ("feishu", {"code": 11232, "msg": "frequency limited"})])
def test_a_rate_limit_answer_holds_everything_a_minute_without_failing(robot, kind, answer):
    robot.replies.append((200, answer))
    outcomes = RobotTransport(FrozenClock(NOW)).send([_msg(1, kind, robot.url()), _msg(2, kind, robot.url())])
    assert [(o.ok, o.retry_at) for o in outcomes] == [(False, NOW + timedelta(minutes=1))] * 2
    assert len(robot.received) == 1


def test_more_than_twenty_a_minute_are_merged_never_dropped(robot):
    clock = FrozenClock(NOW)
    transport = RobotTransport(clock)
    messages = [_msg(i, "wecom", robot.url()) for i in range(1, 61)]
    outcomes = transport.send(messages)
    assert all(o.ok for o in outcomes)  # 60 messages in 20 posts of 3
    assert len(robot.received) == 20
    contents = [r.body["markdown"]["content"] for r in robot.received]
    assert contents[0].startswith("**消息1 (+2)**\n**[消息1](https://ops.example/tasks/7)**\n行1")
    assert all(f"行{i}" in "".join(contents) for i in range(1, 61))
    # the minute is used up: the next are held to when it frees, not sent, not failed
    [later] = transport.send([_msg(61, "wecom", robot.url())])
    assert (later.ok, later.retry_at) == (False, NOW + timedelta(minutes=1))
    clock.advance(minutes=1)
    assert transport.send([_msg(61, "wecom", robot.url())])[0].ok


def test_what_does_not_fit_in_a_message_waits_for_the_next_minute(robot):
    transport = RobotTransport(FrozenClock(NOW), per_minute=2)
    big = [_msg(i, "wecom", robot.url(), title="长" * 400) for i in range(1, 11)]  # ~1.3 KB each
    outcomes = transport.send(big)
    sent = [o.outbox_id for o in outcomes if o.ok]
    waiting = [o for o in outcomes if not o.ok]
    assert len(robot.received) == 2 and sent == list(range(1, len(sent) + 1)) and len(sent) < 10
    assert all(o.retry_at == NOW + timedelta(minutes=1) and o.retry for o in waiting)
    assert all(len(r.body["markdown"]["content"].encode()) <= 4000 for r in robot.received)


def test_robots_are_limited_separately(robot):
    transport = RobotTransport(FrozenClock(NOW), per_minute=1)
    outcomes = transport.send([_msg(1, "wecom", robot.url("/a")), _msg(2, "wecom", robot.url("/b"))])
    assert [o.ok for o in outcomes] == [True, True]
