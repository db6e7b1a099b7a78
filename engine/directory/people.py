"""The directory: who works here, which roles they hold and where. Administrators keep it.

Every function asks `require_admin` first, checks everything before it changes anything (so a
refusal leaves the database as it was) and raises one `InvalidData` that names every bad field with
a stable reason code (`REQUIRED`, `TAKEN`, ...) for the UI to put into words. The catalogue, not the
engine, knows which roles exist and how each is scoped, so the caller passes them in as
`DirectoryRules`. Like every engine command these change and flush; the caller commits.
Stores are kept in `directory_stores`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from engine.access.admin import ADMIN_ROLE, changes, record_change, require_admin
from engine.access.grants import Grant
from engine.errors import InvalidData, NotFound
from engine.models import HumanTask, RoleAssignment, Store, User

from .accounts import hash_password
from .web_sessions import end_every_session

#: How a role is scoped; the same words as `workflows.roles`.
COMPANY, STORE, REGION = "company", "store", "region"

#: Why a field was refused: stable codes, put into words by the UI.
REQUIRED, INVALID, TOO_LONG, TOO_SHORT, TAKEN = "required", "invalid", "too_long", "too_short", "taken"
UNKNOWN, DUPLICATE, NOT_SCOPED, OWN_ACCOUNT = "unknown", "duplicate", "not_scoped", "own_account"

USERNAME = re.compile(r"[a-z0-9_.-]{3,64}")
#: Names the engine writes as actors: scheduled starts are started by "system", and a model tells a
#: scheduled case from one a person started by that name, so no person may hold it.
RESERVED_USERNAMES = frozenset({"system"})
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MIN_PASSWORD, MAX_PASSWORD = 8, 256  # scrypt of a megabyte-long "password" is work for nothing
MAX_DISPLAY_NAME, MAX_EMAIL = 128, 255


@dataclass(frozen=True)
class DirectoryRules:
    """What the catalogue and the configuration tell the directory.

    `role_scopes` maps every role key to COMPANY, STORE or REGION; `locales` are the languages the
    UI speaks.
    """

    role_scopes: Mapping[str, str]
    locales: tuple[str, ...] = ("zh_CN", "en")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    email: str | None
    locale: str
    active: bool
    is_demo: bool
    created_at: datetime
    roles: tuple[Grant, ...]
    held_tasks: int  # open tasks claimed by (assigned to) this user

    @property
    def role_keys(self) -> frozenset[str]:
        return frozenset(g.role for g in self.roles)


@dataclass(frozen=True)
class ScopeChoices:
    """What a store- or region-scoped role may be scoped to: the stores and regions that exist."""

    stores: tuple[tuple[str, str], ...]  # (code, name)
    regions: tuple[str, ...]


def _grant(row: RoleAssignment) -> Grant:
    return Grant(row.role, row.store_code or None, row.region or None)


def _row(user: User, held: int) -> UserRow:
    roles = tuple(sorted((_grant(r) for r in user.roles),
                         key=lambda g: (g.role, g.store_code or "", g.region or "")))
    return UserRow(id=user.id, username=user.username, display_name=user.display_name or user.username,
                   email=user.email, locale=user.locale, active=bool(user.active), is_demo=bool(user.is_demo),
                   created_at=user.created_at, roles=roles, held_tasks=held)


def _held_tasks(session: Session, user_ids: Sequence[int] | None = None) -> dict[int, int]:
    query = (select(HumanTask.assignee_id, func.count()).where(
        HumanTask.state == "open", HumanTask.assignee_id.is_not(None)).group_by(HumanTask.assignee_id))
    if user_ids is not None:
        query = query.where(HumanTask.assignee_id.in_(user_ids))
    return {user_id: count for user_id, count in session.execute(query) if user_id is not None}


def _load(session: Session, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound(f"user {user_id} does not exist")
    return target


def refuse_fields(errors: dict[str, str], what: str) -> None:
    """Raise one InvalidData naming every refused field, or nothing when there is none."""
    if errors:
        raise InvalidData(f"{what}: " + ", ".join(f"{k} {v}" for k, v in errors.items()), errors)


# -- reading ------------------------------------------------------------------------------------

def list_users(session: Session, actor: User, *, text: str = "", role: str = "") -> list[UserRow]:
    """Every user, by username, narrowed to those whose name or email contains `text` and to holders
    of `role`; with the number of open tasks each holds, which matters before deactivating them."""
    require_admin(actor)
    query = select(User).options(selectinload(User.roles)).order_by(User.username)
    text = (text or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(column.ilike(pattern, escape="\\")
                                  for column in (User.username, User.display_name, User.email))))
    if role:
        query = query.where(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == role)))
    users = session.scalars(query).all()
    held = _held_tasks(session)
    return [_row(u, held.get(u.id, 0)) for u in users]


def get_user(session: Session, actor: User, user_id: int) -> UserRow:
    require_admin(actor)
    target = _load(session, user_id)
    return _row(target, _held_tasks(session, [target.id]).get(target.id, 0))


def scope_choices(session: Session, actor: User) -> ScopeChoices:
    require_admin(actor)
    rows = session.execute(select(Store.code, Store.name).order_by(Store.code))
    stores = tuple((code, name) for code, name in rows)
    regions = tuple(session.scalars(select(Store.region).distinct().order_by(Store.region)))
    return ScopeChoices(stores=stores, regions=regions)


# -- checking -----------------------------------------------------------------------------------

def _check_details(rules: DirectoryRules, errors: dict[str, str], display_name: str, email: str,
                   locale: str) -> tuple[str, str | None, str]:
    display_name, email, locale = (display_name or "").strip(), (email or "").strip(), (locale or "").strip()
    if len(display_name) > MAX_DISPLAY_NAME:
        errors["display_name"] = TOO_LONG
    if len(email) > MAX_EMAIL:
        errors["email"] = TOO_LONG
    elif email and not EMAIL.fullmatch(email):
        errors["email"] = INVALID
    if locale not in rules.locales:
        errors["locale"] = REQUIRED if not locale else UNKNOWN
    return display_name, email or None, locale


def _check_password(errors: dict[str, str], password: str) -> None:
    if not password:
        errors["password"] = REQUIRED
    elif len(password) < MIN_PASSWORD:
        errors["password"] = TOO_SHORT
    elif len(password) > MAX_PASSWORD:
        errors["password"] = TOO_LONG


def _check_roles(session: Session, rules: DirectoryRules, errors: dict[str, str],
                 grants: Sequence[Grant]) -> list[Grant]:
    """The grants as they will be stored: each role known, scoped as its kind requires to a store or
    region that exists, none twice. Errors are keyed `roles.<position>.<role|store_code|region>`."""
    stores = set(session.scalars(select(Store.code)))
    regions = set(session.scalars(select(Store.region).distinct()))
    clean: list[Grant] = []
    for i, grant in enumerate(grants):
        at = f"roles.{i}."
        role = (grant.role or "").strip()
        store, region = (grant.store_code or "").strip(), (grant.region or "").strip()
        kind = rules.role_scopes.get(role)
        if kind is None:
            errors[at + "role"] = UNKNOWN if role else REQUIRED
            continue
        for field, value, wanted, known in (("store_code", store, STORE, stores),
                                            ("region", region, REGION, regions)):
            if kind == wanted and not value:
                errors[at + field] = REQUIRED
            elif kind == wanted and value not in known:
                errors[at + field] = UNKNOWN
            elif kind != wanted and value:
                errors[at + field] = NOT_SCOPED
        checked = Grant(role, store if kind == STORE else None, region if kind == REGION else None)
        if checked in clean:
            errors[at + "role"] = DUPLICATE
        clean.append(checked)
    return clean


def _check_not_locking_out(actor: User, target: User, errors: dict[str, str], *,
                           active: bool | None = None, roles: Sequence[Grant] | None = None) -> None:
    """An administrator may not deactivate themselves or drop their own admin role: nobody else
    might be left to undo it."""
    if target.id != actor.id:
        return
    if active is False:
        errors["active"] = OWN_ACCOUNT
    if roles is not None and not any(g.role == ADMIN_ROLE for g in roles):
        errors["roles"] = OWN_ACCOUNT


def _store_roles(target: User, grants: Sequence[Grant]) -> None:
    """Replace the user's roles, keeping the rows that stay: deleting and re-inserting the same row in
    one flush would trip the unique constraint (SQLAlchemy inserts before it deletes)."""
    kept = {_grant(r): r for r in target.roles}
    target.roles = [kept.get(g) or RoleAssignment(role=g.role, store_code=g.store_code, region=g.region)
                    for g in grants]


# -- changing -----------------------------------------------------------------------------------

def create_user(session: Session, actor: User, rules: DirectoryRules, *, username: str, password: str,
                now: datetime, display_name: str = "", email: str = "", locale: str = "zh_CN",
                roles: Sequence[Grant] = ()) -> UserRow:
    """A new account, active, with its roles; the display name defaults to the username."""
    require_admin(actor)
    return _create_user(session, actor, rules, username=username, password=password, now=now,
                        display_name=display_name, email=email, locale=locale, roles=roles)


def create_user_at_console(session: Session, rules: DirectoryRules, *, username: str, password: str,
                           now: datetime, display_name: str = "", email: str = "", locale: str = "zh_CN",
                           roles: Sequence[Grant] = ()) -> UserRow:
    """`create_user` for `opsflow add-user`: how a new installation gets its first administrator.
    Whoever runs the console owns the database, so no administrator is asked for; the trail says
    it was done there."""
    return _create_user(session, None, rules, username=username, password=password, now=now,
                        display_name=display_name, email=email, locale=locale, roles=roles)


def _create_user(session: Session, actor: User | None, rules: DirectoryRules, *, username: str,
                 password: str, now: datetime, display_name: str, email: str, locale: str,
                 roles: Sequence[Grant]) -> UserRow:
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = REQUIRED
    elif not USERNAME.fullmatch(username):
        errors["username"] = INVALID
    elif username in RESERVED_USERNAMES or session.scalar(
            select(User.id).where(User.username == username)) is not None:
        errors["username"] = TAKEN
    display_name, email_or_none, locale = _check_details(rules, errors, display_name, email, locale)
    _check_password(errors, password)
    grants = _check_roles(session, rules, errors, roles)
    refuse_fields(errors, "the user was not created")
    user = User(username=username, display_name=display_name or username, email=email_or_none, locale=locale,
                password_hash=hash_password(password), created_at=now)
    session.add(user)
    _store_roles(user, grants)
    try:
        session.flush()
    except IntegrityError:  # another administrator took the name since it was checked; roll back
        raise InvalidData(f"user {username!r} exists", {"username": TAKEN}) from None
    record_change(session, actor, "user_created", username, {"after": _audited(user)}, now)
    return _row(user, 0)


def update_user(session: Session, actor: User, rules: DirectoryRules, user_id: int, *, display_name: str,
                email: str, locale: str, active: bool, roles: Sequence[Grant],
                now: datetime | None = None) -> UserRow:
    """Everything the edit page changes at once: details, active flag and roles, all or nothing.

    A deactivated user can no longer log in or use an API token; the tasks they have claimed stay
    theirs until a supervisor reassigns them."""
    require_admin(actor)
    target = _load(session, user_id)
    errors: dict[str, str] = {}
    display_name, email_or_none, locale = _check_details(rules, errors, display_name, email, locale)
    grants = _check_roles(session, rules, errors, roles)
    _check_not_locking_out(actor, target, errors, active=active, roles=grants)
    refuse_fields(errors, f"user {target.username} was not changed")
    before = _audited(target)
    target.display_name = display_name or target.username
    target.email, target.locale, target.active = email_or_none, locale, bool(active)
    _store_roles(target, grants)
    if not target.active:
        end_every_session(session, target.id)
    session.flush()
    _record_user_change(session, actor, target, before, now)
    return get_user(session, actor, target.id)


def set_roles(session: Session, actor: User, rules: DirectoryRules, user_id: int,
              roles: Sequence[Grant], now: datetime | None = None) -> UserRow:
    """Replace a user's roles (for the CLI and the API; the edit page uses `update_user`)."""
    require_admin(actor)
    target = _load(session, user_id)
    errors: dict[str, str] = {}
    grants = _check_roles(session, rules, errors, roles)
    _check_not_locking_out(actor, target, errors, roles=grants)
    refuse_fields(errors, f"the roles of {target.username} were not changed")
    before = _audited(target)
    _store_roles(target, grants)
    session.flush()
    _record_user_change(session, actor, target, before, now)
    return get_user(session, actor, target.id)


def set_active(session: Session, actor: User, user_id: int, active: bool,
               now: datetime | None = None) -> UserRow:
    """Deactivate (or reactivate) an account instead of deleting it: their history keeps its name."""
    require_admin(actor)
    target = _load(session, user_id)
    errors: dict[str, str] = {}
    _check_not_locking_out(actor, target, errors, active=active)
    refuse_fields(errors, f"user {target.username} was not changed")
    before = _audited(target)
    target.active = bool(active)
    if not target.active:
        end_every_session(session, target.id)
    session.flush()
    _record_user_change(session, actor, target, before, now)
    return get_user(session, actor, target.id)


def reset_password(session: Session, actor: User, user_id: int, password: str,
                   now: datetime | None = None) -> UserRow:
    """Set a new password and end the user's sessions and API tokens: a reset usually follows a leak."""
    require_admin(actor)
    return _reset_password(session, actor, _load(session, user_id), password, now)


def reset_password_at_console(session: Session, username: str, password: str, now: datetime) -> UserRow:
    """`reset_password` for `opsflow set-password`: the way back in when no administrator can sign in."""
    target = session.scalar(select(User).where(User.username == (username or "").strip()))
    if target is None:
        raise NotFound(f"user {username!r} does not exist")
    return _reset_password(session, None, target, password, now)


def _reset_password(session: Session, actor: User | None, target: User, password: str,
                    now: datetime | None) -> UserRow:
    errors: dict[str, str] = {}
    _check_password(errors, password)
    refuse_fields(errors, f"the password of {target.username} was not changed")
    target.password_hash = hash_password(password)
    end_every_session(session, target.id)
    session.flush()
    record_change(session, actor, "password_reset", target.username, None, now)
    return _row(target, _held_tasks(session, [target.id]).get(target.id, 0))


def _audited(user: User) -> dict[str, object]:
    """What the audit trail keeps of an account (never its password)."""
    return {"display_name": user.display_name, "email": user.email, "locale": user.locale,
            "active": bool(user.active),
            "roles": sorted(":".join(p for p in (g.role, g.store_code or g.region) if p)
                            for g in (_grant(r) for r in user.roles))}


def _record_user_change(session: Session, actor: User, target: User, before: dict[str, object],
                        now: datetime | None) -> None:
    changed = changes(before, _audited(target))
    if changed:
        record_change(session, actor, "user_changed", target.username, {"changes": changed}, now)
