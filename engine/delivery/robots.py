"""Group robots' message formats and signatures, as each robot documents them.

- WeCom (企业微信群机器人): `{"msgtype": "markdown", "markdown": {"content": ...}}`, the link inline
  in the markdown; no signature (the webhook's `key` is the credential). Content up to 4,096 bytes.
- DingTalk (钉钉自定义机器人): an `actionCard` whose `singleURL` button opens the page (markdown
  text); with a secret, `timestamp` (milliseconds) and `sign` = urlencode(base64(HMAC-SHA256(key=
  secret, msg=f"{timestamp}\\n{secret}"))) are added to the URL's query.
- Feishu (飞书自定义机器人): an `interactive` card with a `lark_md` block and a button opening the
  page; with a secret, `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n
  {secret}", msg=b"")) go in the JSON body.

The text arrives already written in the reader's language (the application renders it); this module
only shapes it, so a robot's format lives in one place and the transport stays format-blind.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Sequence
from urllib.parse import quote_plus, urlsplit, urlunsplit

from engine.models import DINGTALK, FEISHU, ROBOT_KINDS, WECOM

#: Bytes of text each robot takes in one message (WeCom's markdown limit; DingTalk and Feishu allow
#: about 20 KB of body, kept well below so a merged message always fits).
TEXT_LIMIT = {WECOM: 4000, DINGTALK: 15000, FEISHU: 15000}


def robot_body(kind: str, title: str, markdown_lines: Sequence[str], link_url: str | None,
               *, link_text: str = "OpsFlow") -> dict[str, Any]:
    """The JSON a `kind` robot takes for one message: a title, markdown lines and a link to the
    page (`link_text` labels the button, in the reader's language)."""
    lines = [line for line in markdown_lines if line is not None]
    if kind == WECOM:
        link = [f"[{link_text}]({link_url})"] if link_url else []
        return {"msgtype": "markdown", "markdown": {"content": _cap("\n".join(
            [f"**{title}**", *lines, *link]), TEXT_LIMIT[WECOM])}}
    if kind == DINGTALK:
        text = _cap("\n\n".join([f"### {title}", *lines]), TEXT_LIMIT[DINGTALK])
        if not link_url:
            return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        return {"msgtype": "actionCard", "actionCard": {"title": title, "text": text, "btnOrientation": "0",
                                                        "singleTitle": link_text, "singleURL": link_url}}
    if kind == FEISHU:
        elements: list[dict[str, Any]] = [
            {"tag": "div", "text": {"tag": "lark_md", "content": _cap("\n".join(lines), TEXT_LIMIT[FEISHU])}}]
        if link_url:
            elements.append({"tag": "action", "actions": [{
                "tag": "button", "text": {"tag": "plain_text", "content": link_text}, "type": "primary",
                "url": link_url}]})
        return {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": title}, "template": "blue"},
            "elements": elements}}
    raise ValueError(f"unknown robot kind {kind!r}; one of {ROBOT_KINDS}")


def robot_text(kind: str, body: dict[str, Any]) -> tuple[str, list[str], str | None, str]:
    """Read back a `robot_body`: its title, markdown lines, link and link text (to merge several
    messages into one when a robot's rate limit is reached)."""
    if kind == WECOM:
        lines = body["markdown"]["content"].split("\n")
        title = lines[0].strip("*") if lines else ""
        link, text = None, "OpsFlow"
        if len(lines) > 1 and lines[-1].startswith("[") and lines[-1].endswith(")") and "](" in lines[-1]:
            text, link = lines[-1][1:-1].split("](", 1)
            lines = lines[:-1]
        return title, lines[1:], link, text
    if kind == DINGTALK:
        card = body.get("actionCard") or body.get("markdown") or {}
        parts = card.get("text", "").split("\n\n")
        return card.get("title", ""), parts[1:], card.get("singleURL"), card.get("singleTitle", "OpsFlow")
    if kind == FEISHU:
        card = body["card"]
        content = card["elements"][0]["text"]["content"]
        buttons = [a for e in card["elements"][1:] for a in e.get("actions", ())]
        return (card["header"]["title"]["content"], content.split("\n") if content else [],
                buttons[0]["url"] if buttons else None,
                buttons[0]["text"]["content"] if buttons else "OpsFlow")
    raise ValueError(f"unknown robot kind {kind!r}")


def merged_body(kind: str, bodies: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several messages to one robot as one (a digest under its rate limit): each message's title
    linked to its page, then its lines; the first title, with how many more, heads it."""
    parts = [robot_text(kind, b) for b in bodies]
    lines: list[str] = []
    for title, body_lines, link, _text in parts:
        lines.append(f"**[{title}]({link})**" if link else f"**{title}**")
        lines.extend(body_lines)
    head = parts[0][0] if len(parts) == 1 else f"{parts[0][0]} (+{len(parts) - 1})"
    return robot_body(kind, head, lines, None)


def body_size(body: dict[str, Any]) -> int:
    """The bytes of text a body carries, against `TEXT_LIMIT`."""
    return len(json.dumps(body, ensure_ascii=False).encode())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign` query value (already URL-encoded) for a timestamp in milliseconds."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's `sign` body value for a timestamp in seconds: the key is the string to sign."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_request(kind: str, url: str, secret: str | None, body: dict[str, Any],
                   now: datetime) -> tuple[str, dict[str, Any]]:
    """The URL and body to POST at `now`, signed when the robot has a secret."""
    if not secret:
        return url, body
    if kind == DINGTALK:
        stamp = int(now.timestamp() * 1000)
        parts = urlsplit(url)
        signature = f"timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
        query = f"{parts.query}&{signature}" if parts.query else signature
        return urlunsplit(parts._replace(query=query)), body
    if kind == FEISHU:
        stamp = int(now.timestamp())
        return url, {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **body}
    return url, body  # WeCom robots have no signature


def _cap(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes of UTF-8 without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"
