"""Getting messages out (issue 12): the outbox a command writes to in its transaction, and the
delivery worker that sends it by e-mail and to group robots, once, with retries."""
from .channels import Outcome, Rendered, Renderer, Transport
from .outbox import enqueue, outbox_row
from .robot_admin import (
    CENTER_ROBOT_NAME,
    ROBOT_CHANGES,
    RobotRow,
    delete_robot,
    ensure_center_robot,
    get_robot,
    list_robots,
    save_robot,
    send_test_message,
    set_robot_active,
)
from .robot_http import RATE_PER_MINUTE, RobotTransport
from .robot_routing import (
    CENTER,
    CENTER_DEFAULT,
    REGION,
    ROBOT_EVENTS,
    ROBOT_FACTS,
    SCOPED_DEFAULT,
    SCOPES,
    STORE,
    robot_event,
    robot_hears,
    route_robot_events,
    tell_robots_overdue,
)
from .robots import dingtalk_sign, feishu_sign, merged_body, robot_body, signed_request
from .routing import route_notifications

__all__ = ["CENTER", "CENTER_DEFAULT", "CENTER_ROBOT_NAME", "Outcome", "RATE_PER_MINUTE", "REGION",
           "ROBOT_CHANGES", "ROBOT_EVENTS", "ROBOT_FACTS", "Rendered", "Renderer", "RobotRow",
           "RobotTransport",
           "SCOPED_DEFAULT", "SCOPES", "STORE", "Transport", "delete_robot", "dingtalk_sign", "enqueue",
           "ensure_center_robot", "feishu_sign", "get_robot", "list_robots", "merged_body", "outbox_row",
           "robot_body", "robot_event", "robot_hears", "route_notifications", "route_robot_events",
           "save_robot", "send_test_message", "set_robot_active", "signed_request", "tell_robots_overdue"]
