"""Who may see, act on, supervise and administer what: role grants narrowed by store and region."""
from .admin import ADMIN_ROLE, INTEGRATION_ROLE, is_admin, may_send_messages, recent_changes, require_admin
from .deputies import (
    acting_grants,
    deputies_now,
    deputy_for,
    may_act,
    represented_grants,
    standing_in_for,
    stands_in_for,
)
from .grants import Grant, can_act, eligible_users, grants_of, holds_role_for, role_keys
from .holders import holders_in_scope, took_part
from .visibility import (
    ensure_visible,
    may_comment,
    may_see,
    may_supervise,
    may_supervise_cases,
    may_view_dashboard,
    reading_filter,
    sees_task,
    visible_case,
    visible_task,
)

__all__ = ["acting_grants", "deputies_now", "deputy_for", "may_act", "represented_grants", "standing_in_for",
           "stands_in_for",
           "ADMIN_ROLE", "INTEGRATION_ROLE", "may_send_messages",
           "Grant", "can_act", "eligible_users", "ensure_visible", "grants_of",
           "holders_in_scope", "sees_task",
           "holds_role_for", "is_admin", "may_comment", "may_see", "may_supervise",
           "may_supervise_cases",
           "may_view_dashboard", "reading_filter",
           "recent_changes", "require_admin", "role_keys", "took_part", "visible_case", "visible_task"]
