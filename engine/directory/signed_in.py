"""The person behind a request, read in one plain query and handed to the session as already loaded.

Every API request and every page starts by turning a token into a user with their grants. Loaded as an
ORM entity with a joined eager load of the roles, that was the largest piece of an API request's own
overhead: building the loaders and de-duplicating the joined rows, for one user with two or three roles.
The same columns through a Core select on the session's own connection, made into the mapped user and
attached to the session as persistent (no SQL), take about 0.15 ms less per request (an interleaved A/B
of the API's complete in one process). The user behaves as a loaded one: the unit of work sees no change
on it, and a later change to it is an UPDATE.

The roles' rows give the user's grants (`engine.access.hold_grants`), which is all a request's checks
read; no role object is made for them (about 45 µs of an API complete, an interleaved A/B). `user.roles`
stays the relationship: whoever reads it loads it (one statement), and from then on it decides.
"""
from __future__ import annotations

from typing import Any, Sequence, TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from engine.access.grants import Grant, hold_grants
from engine.models import RoleAssignment, User

T = TypeVar("T")
_USER = User.__table__
_ROLE = RoleAssignment.__table__
#: Of each role row: its id (does the session already hold that row?), then what a grant is made of.
_GRANT_KEYS = ("role", "store_code", "region")
_ROLE_LABELS = {key: f"role__{key}" for key in ("id", *_GRANT_KEYS)}
#: Each row is the user's columns, then the role's, in these orders (`user_rows`): read by position.
_USER_KEYS = tuple(column.key for column in _USER.c)
_ROLE_KEYS = tuple(_ROLE_LABELS)
_USER_ID_AT = _USER_KEYS.index("id")
_ROLE_AT = len(_USER_KEYS)
_ROLE_ID_AT = _ROLE_AT + _ROLE_KEYS.index("id")
_GRANT_AT = slice(_ROLE_AT + _ROLE_KEYS.index(_GRANT_KEYS[0]), _ROLE_AT + len(_ROLE_KEYS))


def user_rows(via: FromClause, link: ColumnElement[bool], *where: ColumnElement[bool]) -> Select[Any]:
    """The user's columns and each role's, one row per role (one row with empty role columns for a
    user with none): `via` is the table that names the user (tokens), `link` joins it to the user."""
    return (select(*_USER.c, *(_ROLE.c[key].label(label) for key, label in _ROLE_LABELS.items()))
            .select_from(_USER.join(via, link).outerjoin(_ROLE, _ROLE.c.user_id == _USER.c.id))
            .where(*where)
            .order_by(_ROLE.c.id))


def loaded_user(session: Session, statement: Select[Any], params: dict[str, Any]) -> User | None:
    """The user `statement` (from `user_rows`) finds, with their grants, in `session`."""
    if session.autoflush:
        session.flush()  # as an ORM query would: a token added in this transaction is found
    rows = session.connection().execute(statement, params).all()
    if not rows:
        return None
    user_id = rows[0][_USER_ID_AT]
    known = session.identity_map
    if known and (identity_key(User, user_id) in known or any(
            row[_ROLE_ID_AT] is not None and identity_key(RoleAssignment, row[_ROLE_ID_AT]) in known
            for row in rows)):
        # the session already holds some of them (a test's, a command's): its copies stand; a request's
        # session is still empty here, and asking is skipped
        return session.scalars(select(User).where(User.id == user_id).options(joinedload(User.roles))
                               ).unique().one()
    return _attached(session, rows)


def _attached(session: Session, rows: Sequence[Any]) -> User:
    user = _loaded(User, dict(zip(_USER_KEYS, rows[0])))
    hold_grants(user, [Grant(*row[_GRANT_AT]) for row in rows if row[_ROLE_ID_AT] is not None])
    session.add(user)
    return user


def _loaded(cls: type[T], values: dict[str, Any]) -> T:
    """An instance whose loaded state is `values`: no constructor, no change events."""
    instance: T = manager_of_class(cls).new_instance()
    instance_state(instance).dict.update(values)
    make_transient_to_detached(instance)
    return instance
