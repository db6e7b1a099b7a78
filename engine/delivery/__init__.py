"""Getting messages out (issue 12): the outbox a command writes to in its transaction, and the
delivery worker that sends it by e-mail and to group robots, once, with retries."""
from .channels import Outcome, Rendered, Renderer, Transport
from .outbox import MODEL_MAIL, OUTBOX_COLUMNS, enqueue, outbox_row
from .preferences import (
    EVENT_KINDS,
    URGENT_KINDS,
    Choices,
    choices_of,
    notification_preferences,
    quiet_until,
    save_notification_preferences,
    zone_of,
)
from .resend import RESENT, resend
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
    robots_in_scope,
    route_robot_events,
    tell_robots_overdue,
)
from .robots import dingtalk_sign, feishu_sign, merged_body, robot_body, signed_request
from .routing import route_notifications
from .smtp import SmtpSettings, SmtpTransport
from .worker import DeliveryRun, Policy, claim, deliver_due, load_rows

__all__ = ["MODEL_MAIL", "OUTBOX_COLUMNS", "CENTER", "CENTER_DEFAULT", "CENTER_ROBOT_NAME", "DeliveryRun",
           "Outcome", "Policy",
           "RATE_PER_MINUTE", "REGION", "RESENT", "ROBOT_CHANGES", "ROBOT_EVENTS", "ROBOT_FACTS",
           "Rendered", "Renderer", "RobotRow", "RobotTransport", "SCOPED_DEFAULT", "SCOPES", "STORE",
           "SmtpSettings", "SmtpTransport", "Transport", "claim", "delete_robot", "deliver_due",
           "dingtalk_sign", "enqueue", "ensure_center_robot", "feishu_sign", "get_robot", "list_robots",
           "load_rows", "merged_body", "outbox_row", "resend", "robot_body", "robot_event", "robot_hears",
           "route_notifications", "route_robot_events", "save_robot", "send_test_message",
           "set_robot_active", "signed_request", "tell_robots_overdue", "EVENT_KINDS", "URGENT_KINDS",
           "Choices", "choices_of", "notification_preferences", "quiet_until",
           "save_notification_preferences", "zone_of", "robots_in_scope"]
