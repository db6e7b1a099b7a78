"""What a group robot says (issue 12): an outbox row of a robot event (`engine.delivery.ROBOT_EVENTS`)
rendered, when it leaves, into the robot's own format in the group's language, with a link to the
task or case.

The delivery renderer (webapp/notices) hands robot rows here. A group chat has no reader of its own,
so it reads the app's default language (`ROBOT_LOCALE`, else `BABEL_DEFAULT_LOCALE`) and times in
the business time zone; links start with `BASE_URL` (OPSFLOW_BASE_URL).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from engine.delivery import Rendered, robot_body

from .ui.names import outcome_name, store_name


def render_robot_rows(rows: Sequence[Mapping[str, Any]]) -> list[Rendered]:
    """Robot outbox rows (their columns as a dict: `id`, `channel` the robot kind, `kind` the event,
    `payload`; the robot's `url` and `secret` joined in, also accepted as `robot_url`/`robot_secret`)
    → messages for `engine.delivery.RobotTransport`. Needs an app context."""
    config = current_app.config
    locale = config.get("ROBOT_LOCALE") or config.get("BABEL_DEFAULT_LOCALE") or "zh_CN"
    base = (config.get("BASE_URL") or "http://localhost:5000").rstrip("/")
    with force_locale(locale):
        return [_rendered(row, base) for row in rows]


def robot_message(event: str, facts: Mapping[str, Any], base_url: str) -> tuple[str, list[str], str | None]:
    """(title, markdown lines, link) of one robot event, in the current locale."""
    step = facts.get("step") or ""
    if event == "task_created":
        title = _("New task: %(step)s", step=step)
    elif event == "task_overdue":
        title = _("Overdue: %(step)s", step=step)
    elif event == "task_urged":
        title = _("Urged: %(step)s", step=step)
    else:
        title = _("Case ended: %(outcome)s", outcome=outcome_name(facts.get("outcome")) or _("finished"))
    lines = [f"**{facts.get('title') or ''}**"]
    if facts.get("business_key"):
        lines.append(_("Case number: %(key)s", key=facts["business_key"]))
    if facts.get("store_code"):
        code = facts["store_code"]
        where = f"{store_name(code)} ({code})"
        lines.append(_("Store: %(store)s", store=where))
    if facts.get("due_at") and event != "case_ended":
        due = datetime.fromisoformat(facts["due_at"])
        lines.append(_("Due: %(when)s", when=format_datetime(due, "short")))
    if facts.get("message"):
        lines.append(_("Reason: %(text)s", text=facts["message"]))
    link = None
    if facts.get("task_id") and event != "case_ended":
        link = f"{base_url}/tasks/{facts['task_id']}"
    elif facts.get("instance_id"):
        link = f"{base_url}/cases/{facts['instance_id']}"
    return title, lines, link


def _rendered(row: Mapping[str, Any], base: str) -> Rendered:
    kind = row["channel"]
    title, lines, link = robot_message(row["kind"], row.get("payload") or {}, base)
    return Rendered(outbox_id=row["id"], channel=kind, to=row.get("url") or row.get("robot_url") or "",
                    secret=row.get("secret") or row.get("robot_secret"), subject=title, text="\n".join(lines),
                    body=robot_body(kind, title, lines, link, link_text=_("Open in OpsFlow")))
