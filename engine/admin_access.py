"""Who may administer OpsFlow: holders of the `admin` role, and nobody else.

Admin is not a task role (no lane uses it); it deploys models and manages people and stores. Every
engine function behind the admin pages asks `require_admin` itself, so the rule holds for the CLI
and any future API as much as for the web pages.
"""
from __future__ import annotations

from .assignment import role_keys
from .errors import PermissionDenied
from .models import User

ADMIN_ROLE = "admin"


def is_admin(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and ADMIN_ROLE in role_keys(user)


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied(f"{getattr(user, 'username', 'this user')} is not an administrator")
