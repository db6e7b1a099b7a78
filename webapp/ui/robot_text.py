"""What the admin page and the API say about a group robot: its kind's name, and why a test message
was not sent (the robot's rate window was full)."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import delivery

KIND_NAMES = {"wecom": _l("WeCom"), "dingtalk": _l("DingTalk"), "feishu": _l("Feishu")}


def rate_limited_text(robot: delivery.RobotRow, seconds: int, config: Mapping[str, Any]) -> str:
    """Why a test message was not sent, in the reader's language: the robot's limit (as configured,
    else its kind's), counted with the notifications, and when to try again."""
    limit = config.get("ROBOT_RATE_PER_MINUTE") or delivery.RATE_PER_MINUTE.get(robot.kind, 20)
    return _("The test message was not sent: %(name)s has had the %(limit)s messages a minute %(kind)s "
             "takes (notifications count too). Try again in %(seconds)s seconds.", name=robot.name,
             limit=limit, kind=str(KIND_NAMES.get(robot.kind, robot.kind)), seconds=seconds)
