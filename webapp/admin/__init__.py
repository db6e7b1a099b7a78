"""The administrators' area: deployed models and their versions, users and their roles, stores,
group robots, scheduled starts.

Every view asks the engine's admin rule first (403 for everyone else); the engine functions behind
the pages ask it again, so the rule does not depend on the pages.
"""
from . import (  # noqa: F401  (routes register themselves on bp)
    away_routes,
    decision_editor_routes,
    delivery_routes,
    diff_routes,
    draft_routes,
    form_editor_routes,
    migration_routes,
    model_routes,
    modeler_routes,
    people_routes,  # noqa: F401
    robot_routes,
    routes,
    schedule_routes,
)
from .blueprint import bp  # noqa: F401
