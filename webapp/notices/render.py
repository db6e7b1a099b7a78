"""Rendering outbox rows: each in its reader's locale (`force_locale`) and time zone, e-mails from
the `mail/notice.txt` and `mail/notice.html` templates, robot messages as markdown lines handed to
the robot's own format (`engine.delivery.robot_body`). Links point at `BASE_URL`, built from the
URL map without a request, because the worker has none."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import Flask, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from engine import delivery
from engine.delivery import Rendered

from ..robot_notices import render_robot_rows
from ..ui.inbox_text import notification_text, shows_message

EMAIL = "email"
#: Marks a robot message built here for want of the robots lane's `engine.delivery.robot_body`.
ROBOT_BODY_STUB = "opsflow-robot-body-stub"


def make_renderer(app: Flask) -> Callable[[Sequence[dict[str, Any]]], list[Rendered]]:
    """The `Renderer` the delivery worker calls, bound to `app` (its templates and translations)."""
    return lambda rows: render_rows(app, rows)


def render_rows(app: Flask, rows: Sequence[dict[str, Any]]) -> list[Rendered]:
    languages = app.config["LANGUAGES"]
    out = []
    with app.app_context():
        links = _Links(app)
        for row in rows:
            locale = row["locale"] if row.get("locale") in languages else app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(locale):
                out.append(_render(row, locale, _zone(row.get("timezone"), app), links))
    return out


def _render(row: dict[str, Any], locale: str, zone: ZoneInfo, links: _Links) -> Rendered:
    if row["channel"] != EMAIL and row["kind"] in delivery.ROBOT_EVENTS:  # a group's event, in its language
        return render_robot_rows([row])[0]
    facts = dict(row.get("payload") or {})
    if row["kind"] == delivery.MODEL_MAIL:  # a model's own e-mail (the mail connector): sent as written
        return Rendered(row["id"], EMAIL, row["email"], subject=facts.get("subject") or "",
                        text=facts.get("body") or "")
    entry = SimpleNamespace(kind=row["kind"], actor_name=row.get("actor_name"), actor=None,
                            step=facts.get("step"), message=facts.get("message") or "")
    sentence = notification_text(entry)
    when = _when(row.get("due_at") or facts.get("due_at"), zone, locale)
    link = links.target(facts)
    items = [{**item, "due": _when(item.get("due_at"), zone, locale), "link": links.target(item)}
             for item in facts.get("items") or ()]
    context = {"sentence": sentence, "facts": facts, "due": when, "link": link, "items": items,
               "reason": facts.get("message") if shows_message(entry) else "", "row": row,
               "name": row.get("recipient_name") or row.get("recipient") or ""}
    title = facts.get("title") or facts.get("business_key") or ""
    subject = f"{sentence} · {title}" if title else sentence
    if row["channel"] == EMAIL:
        return Rendered(row["id"], EMAIL, row["email"], subject=f"[OpsFlow] {subject}",
                        text=render_template("mail/notice.txt", **context),
                        html=render_template("mail/notice.html", **context))
    lines = [f"**{title}**" + (f" ({facts['business_key']})" if facts.get("business_key") else "")]
    if facts.get("step"):
        lines.append(_("Step: %(step)s", step=facts["step"]))
    if when:
        lines.append(_("Due: %(when)s", when=when))
    if context["reason"]:
        lines.append(_("Reason: %(reason)s", reason=context["reason"]))
    lines += [f"- {i.get('title') or ''} · {i.get('step') or ''}" + (f" · {i['due']}" if i["due"] else "")
              for i in items]
    body = robot_body(row["channel"], sentence, lines, link)
    return Rendered(row["id"], row["channel"], row["url"], subject=sentence, text="\n".join(lines), body=body,
                    secret=row.get("secret"))


def robot_body(kind: str, title: str, lines: list[str], link: str) -> dict[str, Any]:
    """The robot's JSON, by the robots lane's `engine.delivery.robot_body` once it exists."""
    build = getattr(delivery, "robot_body", None)
    if build is not None:
        return dict(build(kind, title, lines, link))
    return {"msgtype": "markdown", ROBOT_BODY_STUB: True,  # replaced by robot_body (robots lane)
            "markdown": {"title": title, "text": "\n".join([f"### {title}", *lines, f"[{link}]({link})"])}}


class _Links:
    """Absolute links to a task, a case or the inbox, at BASE_URL."""

    def __init__(self, app: Flask) -> None:
        base = urlsplit(app.config.get("BASE_URL") or "http://localhost:5000")
        self.adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                                        url_scheme=base.scheme or "http")

    def target(self, facts: dict[str, Any]) -> str:
        if facts.get("task_id"):
            return self.adapter.build("tasks.detail", {"task_id": facts["task_id"]}, force_external=True)
        if facts.get("instance_id"):
            return self.adapter.build("cases.detail", {"case_id": facts["instance_id"]}, force_external=True)
        return self.adapter.build("inbox.index", {}, force_external=True)


def _zone(name: str | None, app: Flask) -> ZoneInfo:
    try:
        return ZoneInfo(name or app.config["BABEL_DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])


def _when(value: datetime | str | None, zone: ZoneInfo, locale: str) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, "short", tzinfo=zone, locale=locale)
