"""The checks a new case passes before it starts: who may start it, for which stores.

A store-scoped or region-scoped starter may only open cases for stores in their scope; every store
a case names (its `store_code`, and any list the catalogue marks as store codes, such as a launch's
target stores) must exist and be open for business, or, where the process says so, be in the
state it requires (a store opening needs a planned store), and of the kind it requires (an expense
claim is a direct store's: a franchisee bears their own expenses).
"""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.access.grants import grants_of, role_keys
from engine.delivery import robots_in_scope
from engine.errors import InvalidData, PermissionDenied
from engine.models import Store, User
from engine.policy import ProcessPolicy

#: The case's store, and whether any active robot could hear of a case there, in one read: the start
#: then sends no query for robots when none could (most stores), as a step does (`load_task_and_open`).
_STORE_AND_ROBOTS = select(Store, exists().where(robots_in_scope(Store.code, Store.region)))


def may_start(policy: ProcessPolicy, user: User) -> bool:
    return policy.starter_roles is None or bool(policy.starter_roles & role_keys(user))


def has_store_of_kind(session: Session, user: User, policy: ProcessPolicy) -> bool:
    """Whether a starter scoped to stores or regions has a store of the kind the process needs in
    scope: the franchisee who also manages their franchise store has no expense claim to start."""
    if not policy.start_store_kind:
        return True
    starter = [g for g in grants_of(user) if policy.starter_roles is None or g.role in policy.starter_roles]
    if not starter or not all(g.store_code or g.region for g in starter):
        return True
    stores = session.execute(select(Store.code, Store.region).where(
        Store.kind == policy.start_store_kind, Store.status != "closed")).all()
    return any(g.covers(g.role, code, region) for code, region in stores for g in starter)


def check_start(session: Session, user: User, policy: ProcessPolicy, data: Mapping[str, Any]
                ) -> tuple[Store | None, bool | None]:
    """Return the case's own store (if it names one) and whether any active robot could hear of the
    case (None: no store read, ask when there is something to tell); raise if the start is not allowed."""
    if not may_start(policy, user):
        raise PermissionDenied(f"{user.username} may not start {policy.key}")
    store, robots = _case_store(session, user, policy, data.get("store_code"))
    for field in policy.store_list_fields:
        _check_store_list(session, field, data.get(field))
    return store, robots


def store_kinds(session: Session, policy: ProcessPolicy, data: Mapping[str, Any]) -> dict[str, str]:
    """The kind (direct, franchise) and owner of the case's store and of each other store its start
    names, as `store_kind`, `store_owner`, `<field>_kind` and `<field>_owner`: a model's rules read them
    (a transfer touching a franchise store needs customer service; one between owners is settled),
    and only the store table knows them. The owner is the franchisee company recorded on the store;
    "" for a direct store (the brand's); a franchise store with none recorded is its own owner (its
    code), so two such stores are never taken for one franchisee's. Nothing for a process naming no
    `store_fields`; an unknown or closed store named there is refused like the case's own, and so is
    the case's own store (a transfer from a store to itself)."""
    if not policy.store_fields:
        return {}
    kinds = {}
    for field in ("store_code", *policy.store_fields):
        code = data.get(field)
        if not code:
            continue
        if field != "store_code" and code == data.get("store_code"):
            raise InvalidData(f"store {code} in {field} is the case's own store",
                              {field: "the same store as the case's"})
        store = session.get(Store, code)
        if store is None:
            raise InvalidData(f"unknown store {code!r} in {field}", {field: "unknown store"})
        if store.status != "open":
            raise InvalidData(f"store {code} in {field} is {store.status}, not open",
                              {field: "store is not open"})
        prefix = "store" if field == "store_code" else field
        kinds[f"{prefix}_kind"] = store.kind
        kinds[f"{prefix}_owner"] = store.owner or (store.code if store.kind == "franchise" else "")
    return kinds


def _case_store(session: Session, user: User, policy: ProcessPolicy, code: Any
                ) -> tuple[Store | None, bool | None]:
    if not code:
        return None, None
    row = session.execute(_STORE_AND_ROBOTS.where(Store.code == code)).first()
    store, robots = (None, None) if row is None else (row[0], bool(row[1]))
    if store is None:
        raise InvalidData(f"unknown store {code!r}", {"store_code": "unknown store"})
    if policy.start_store_status and store.status != policy.start_store_status:
        raise InvalidData(f"store {code} is {store.status}, not {policy.start_store_status}",
                          {"store_code": f"store must be {policy.start_store_status}"})
    if policy.start_store_kind and store.kind != policy.start_store_kind:
        raise InvalidData(f"store {code} is {store.kind}, not {policy.start_store_kind}",
                          {"store_code": f"store must be {policy.start_store_kind}"})
    starter = [g for g in grants_of(user) if policy.starter_roles is None or g.role in policy.starter_roles]
    if policy.starter_roles is not None and starter and all(g.store_code or g.region for g in starter):
        if not any(g.covers(g.role, store.code, store.region) for g in starter):
            raise PermissionDenied(f"{user.username} may not start a case for store {code}")
    return store, robots


def _check_store_list(session: Session, field: str, codes: Any) -> None:
    if not codes:
        return
    wanted = [c for c in codes if isinstance(c, str)]
    found = {code: status for code, status in session.execute(
        select(Store.code, Store.status).where(Store.code.in_(wanted)))}
    for index, code in enumerate(wanted):
        if code not in found:
            raise InvalidData(f"unknown store {code!r} in {field}", {f"{field}.{index}": "unknown store"})
        if found[code] != "open":
            raise InvalidData(f"store {code} in {field} is {found[code]}, not open",
                              {f"{field}.{index}": "store is not open"})
