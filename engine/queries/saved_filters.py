"""Task-list filters a person names and comes back to ("overdue at my store, by due time").

The engine keeps them as small dictionaries of strings and does not interpret them: the list page
that saved a filter is the one that reads it back. Each person sees only their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound
from engine.models import SavedFilter, User

MAX_FILTERS = 20
MAX_NAME = 64
MAX_VALUE = 200


@dataclass(frozen=True)
class SavedFilterView:
    id: int
    name: str
    params: dict[str, str]


def _view(row: SavedFilter) -> SavedFilterView:
    return SavedFilterView(id=row.id, name=row.name, params=dict(row.params or {}))


def list_filters(session: Session, user: User) -> list[SavedFilterView]:
    rows = session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)
                           .order_by(SavedFilter.name)).all()
    return [_view(r) for r in rows]


def save_filter(session: Session, user: User, name: str, params: Mapping[str, str],
                now: datetime) -> SavedFilterView:
    """Save (or replace, when the name is taken by the same person) a named filter."""
    name = (name or "").strip()
    if not name:
        raise InvalidData("a filter needs a name", {"name": "required"})
    if len(name) > MAX_NAME:
        raise InvalidData("the name is too long", {"name": f"at most {MAX_NAME} characters"})
    clean = {str(k): str(v) for k, v in params.items() if v not in (None, "")}
    if any(len(k) > 32 or len(v) > MAX_VALUE for k, v in clean.items()) or len(clean) > 12:
        raise InvalidData("the filter is too large", {"params": "too large"})
    row = session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name))
    if row is None:
        count = session.scalar(select(func.count()).select_from(SavedFilter)
                               .where(SavedFilter.user_id == user.id)) or 0
        if count >= MAX_FILTERS:
            raise InvalidData("too many saved filters", {"name": f"at most {MAX_FILTERS} filters"})
        row = SavedFilter(user_id=user.id, name=name, created_at=now)
        session.add(row)
    row.params = clean
    session.flush()
    return _view(row)


def delete_filter(session: Session, user: User, filter_id: int) -> None:
    row = session.get(SavedFilter, filter_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"filter {filter_id} does not exist")
    session.delete(row)
    session.flush()
