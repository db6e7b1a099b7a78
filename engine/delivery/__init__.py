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
from .routing import route_notifications

__all__ = ["Outcome", "Rendered", "Renderer", "Transport", "enqueue", "outbox_row", "route_notifications",
           "EVENT_KINDS", "URGENT_KINDS", "Choices", "choices_of", "notification_preferences", "quiet_until",
           "save_notification_preferences", "zone_of"]
