"""Getting messages out (issue 12): the outbox a command writes to in its transaction, and the
delivery worker that sends it by e-mail and to group robots, once, with retries."""
from .channels import Outcome, Rendered, Renderer, Transport
from .outbox import enqueue, outbox_row
from .robot_http import RATE_PER_MINUTE, RobotTransport
from .robot_routing import (
    CENTER,
    REGION,
    ROBOT_EVENTS,
    ROBOT_FACTS,
    SCOPES,
    STORE,
    robot_event,
    robot_hears,
    route_robot_events,
)
from .robots import dingtalk_sign, feishu_sign, merged_body, robot_body, signed_request
from .routing import route_notifications

__all__ = ["CENTER", "Outcome", "RATE_PER_MINUTE", "REGION", "ROBOT_EVENTS", "ROBOT_FACTS", "Rendered",
           "Renderer", "RobotTransport", "SCOPES", "STORE", "Transport", "dingtalk_sign", "enqueue",
           "feishu_sign", "merged_body", "outbox_row", "robot_body", "robot_event", "robot_hears",
           "route_notifications", "route_robot_events", "signed_request"]
