"""Getting messages out (issue 12): the outbox a command writes to in its transaction, and the
delivery worker that sends it by e-mail and to group robots, once, with retries."""
from .channels import Outcome, Rendered, Renderer, Transport
from .outbox import enqueue, outbox_row
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
from .routing import route_notifications
from .smtp import SmtpSettings, SmtpTransport
from .worker import DeliveryRun, Policy, claim, deliver_due, load_rows

__all__ = ["DeliveryRun", "Outcome", "Policy", "RESENT", "Rendered", "Renderer", "SmtpSettings",
           "SmtpTransport", "Transport", "claim", "deliver_due", "enqueue", "load_rows", "outbox_row",
           "resend", "route_notifications",
           "EVENT_KINDS", "URGENT_KINDS", "Choices", "choices_of", "notification_preferences", "quiet_until",
           "save_notification_preferences", "zone_of"]
