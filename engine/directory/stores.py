"""The stores of the directory: direct and franchise stores, their regions and whether they are
planned, open or closed.

A franchise store records its `owner`, the franchisee company (the same text for all its stores):
a transfer between two stores of one owner is not settled between owners. A direct store has none
(the brand owns it).

A store's code is its identity everywhere (cases, tasks and role assignments carry it), so it is
fixed when the store is created; everything else may be corrected later. Stores are never deleted:
a store that shuts is `closed`. The same rules as for users apply (see `directory`): admins only,
checked before changed, one `InvalidData` naming every bad field, the caller commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access.admin import changes, record_change, require_admin
from engine.errors import InvalidData, NotFound
from engine.models import HumanTask, Store, User

from .accounts import upsert_store
from .people import INVALID, REQUIRED, TAKEN, TOO_LONG, UNKNOWN, refuse_fields

#: The fixed lists; `workflows.stores` names them for people.
STORE_KINDS = ("direct", "franchise")
STORE_STATUSES = ("planned", "open", "closed")

STORE_CODE = re.compile(r"[A-Z0-9]{2,16}")
REGION_CODE = re.compile(r"[A-Z0-9_]{2,16}")
MAX_NAME, MAX_CITY, MAX_ADDRESS, MAX_OWNER = 128, 64, 200, 64


@dataclass(frozen=True)
class StoreRow:
    code: str
    name: str
    name_en: str
    kind: str
    region: str
    city: str
    status: str
    open_tasks: int  # open human tasks of this store's cases, whoever holds them
    address: str = ""
    owner: str = ""  # the franchisee company owning a franchise store; empty: the brand's


def _open_tasks(session: Session, code: str | None = None) -> dict[str, int]:
    query = (select(HumanTask.store_code, func.count()).where(
        HumanTask.state == "open", HumanTask.store_code.is_not(None)).group_by(HumanTask.store_code))
    if code is not None:
        query = query.where(HumanTask.store_code == code)
    return {store_code: count for store_code, count in session.execute(query) if store_code is not None}


def _row(store: Store, open_tasks: int) -> StoreRow:
    return StoreRow(code=store.code, name=store.name, name_en=store.name_en or "", kind=store.kind,
                    region=store.region, city=store.city or "", status=store.status, open_tasks=open_tasks,
                    address=store.address or "", owner=store.owner or "")


def list_stores(session: Session, actor: User) -> list[StoreRow]:
    """Every store by code, with the number of open tasks on its cases."""
    require_admin(actor)
    counts = _open_tasks(session)
    return [_row(s, counts.get(s.code, 0)) for s in session.scalars(select(Store).order_by(Store.code))]


def get_store(session: Session, actor: User, code: str) -> StoreRow:
    require_admin(actor)
    store = session.get(Store, code)
    if store is None:
        raise NotFound(f"store {code} does not exist")
    return _row(store, _open_tasks(session, store.code).get(store.code, 0))


def _check(errors: dict[str, str], name: str, name_en: str, kind: str, region: str, city: str,
           status: str, address: str, owner: str) -> dict[str, str]:
    given = {"name": name, "name_en": name_en, "kind": kind, "region": region, "city": city, "status": status,
             "address": address, "owner": owner}
    values = {field: (value or "").strip() for field, value in given.items()}
    for field, limit in (("name", MAX_NAME), ("name_en", MAX_NAME), ("city", MAX_CITY),
                         ("address", MAX_ADDRESS), ("owner", MAX_OWNER)):
        if len(values[field]) > limit:
            errors[field] = TOO_LONG
    if not values["name"]:
        errors["name"] = REQUIRED
    if not values["region"]:
        errors["region"] = REQUIRED
    elif not REGION_CODE.fullmatch(values["region"]):
        errors["region"] = INVALID
    for field, known in (("kind", STORE_KINDS), ("status", STORE_STATUSES)):
        if values[field] not in known:
            errors[field] = UNKNOWN if values[field] else REQUIRED
    if values["owner"] and values["kind"] == "direct" and "owner" not in errors:
        errors["owner"] = INVALID  # the brand owns its direct stores
    return values


def create_store(session: Session, actor: User, *, code: str, name: str, region: str, kind: str = "direct",
                 status: str = "planned", city: str = "", name_en: str = "", address: str = "",
                 owner: str = "", now: datetime | None = None) -> StoreRow:
    """A new store; it is `planned` unless said otherwise, as a store is before its opening."""
    require_admin(actor)
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = REQUIRED
    elif not STORE_CODE.fullmatch(code):
        errors["code"] = INVALID
    elif session.get(Store, code) is not None:
        errors["code"] = TAKEN
    values = _check(errors, name, name_en, kind, region, city, status, address, owner)
    refuse_fields(errors, "the store was not created")
    store = Store(code=code, **{**values, "owner": values["owner"] or None})
    session.add(store)
    try:
        session.flush()
    except IntegrityError:  # another administrator added the code since it was checked; roll back
        raise InvalidData(f"store {code} exists", {"code": TAKEN}) from None
    record_change(session, actor, "store_created", code, {"after": values}, now)
    return _row(store, 0)


def update_store(session: Session, actor: User, code: str, *, name: str, region: str, kind: str,
                 status: str, city: str = "", name_en: str = "", address: str = "", owner: str = "",
                 now: datetime | None = None) -> StoreRow:
    """Correct a store's names, kind, region, city, address, owner or status; its code stays.

    Tasks already created keep the region they were routed by; new ones follow the new region."""
    require_admin(actor)
    existing = session.get(Store, code)
    if existing is None:
        raise NotFound(f"store {code} does not exist")
    errors: dict[str, str] = {}
    values = _check(errors, name, name_en, kind, region, city, status, address, owner)
    refuse_fields(errors, f"store {code} was not changed")
    before = {k: getattr(existing, k) or "" for k in values}
    store = upsert_store(session, code, **values)
    session.flush()
    changed = changes(before, values)
    if changed:
        record_change(session, actor, "store_changed", code, {"changes": changed}, now)
    return get_store(session, actor, store.code)
