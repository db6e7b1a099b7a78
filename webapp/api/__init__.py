"""The JSON API under /api/v1, authenticated by bearer tokens from POST /api/v1/login."""
from . import (  # noqa: F401  (routes register themselves on bp)
    approval_routes,
    attachment_routes,
    away_routes,
    delivery_routes,
    idempotency,
    inbox_routes,
    incident_routes,
    message_routes,
    migration_routes,
    move_routes,
    preference_routes,
    robot_routes,
    routes,
    schedule_routes,
    send_back_routes,
    version_routes,
)
from .blueprint import bp  # noqa: F401
from .docs import docs_bp  # noqa: F401  (the description on bp, its page on docs_bp)
