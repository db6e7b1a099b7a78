"""Who works here: people, the roles they hold and where, the stores, and how people sign in."""
from .accounts import (
    RoleSpec,
    authenticate,
    hash_password,
    insert_user_unchecked,
    issue_token,
    upsert_store,
    user_for_token,
)
from .away import AwayView, away_of, clear_away, deputy_candidates, missing_roles, set_away
from .login_throttle import LoginOutcome, ThrottleRules, record_failure, record_success, try_login
from .people import (
    DirectoryRules,
    ScopeChoices,
    UserRow,
    create_user,
    create_user_at_console,
    get_user,
    list_users,
    reset_password,
    reset_password_at_console,
    scope_choices,
    set_active,
    set_roles,
    update_user,
)
from .stores import STORE_KINDS, STORE_STATUSES, StoreRow, create_store, get_store, list_stores, update_store
from .web_sessions import end_every_session, end_web_session, open_web_session, user_for_web_session

__all__ = ["AwayView", "away_of", "clear_away", "deputy_candidates", "missing_roles", "set_away",
           "DirectoryRules", "LoginOutcome", "RoleSpec", "STORE_KINDS", "STORE_STATUSES", "ScopeChoices",
           "StoreRow", "ThrottleRules", "UserRow", "authenticate", "create_store", "create_user",
           "create_user_at_console", "end_every_session", "end_web_session", "get_store", "get_user",
           "hash_password", "insert_user_unchecked", "issue_token", "list_stores", "list_users",
           "open_web_session", "record_failure", "record_success", "reset_password",
           "reset_password_at_console", "scope_choices", "set_active", "set_roles", "try_login",
           "update_store", "update_user", "upsert_store", "user_for_token", "user_for_web_session"]
