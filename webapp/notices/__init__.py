"""What a message says when it leaves (issue 12): outbox rows rendered in their reader's language and
time zone with the mail templates, and the transports the configuration sets up."""
from .render import ROBOT_BODY_STUB, make_renderer, render_rows
from .transports import robot_test_transport, transports_for

__all__ = ["ROBOT_BODY_STUB", "make_renderer", "render_rows", "robot_test_transport", "transports_for"]
