"""The demo cast as DESIGN.md section 2 writes it out: who holds which role for which store. It is
the tests' expectation of who sees a task and the person a model test acts as; the engine decides
for itself, from the grants in the database, and the tests compare."""
from __future__ import annotations

ROLE_HOLDERS: dict[str, frozenset[str]] = {  # DESIGN.md section 2, written out by hand
    "ops_director": frozenset({"director"}), "cs_agent": frozenset({"cs_li", "cs_wang"}),
    "cs_manager": frozenset({"cs_manager"}), "merchandiser": frozenset({"merch_zhao"}),
    "warehouse_keeper": frozenset({"warehouse_qian"}), "trainer": frozenset({"trainer_sun"}),
    "marketing": frozenset({"marketing_zhou"}), "finance": frozenset({"finance_wu"}),
    "analyst": frozenset({"analyst_zheng"}),
}
STORE_MANAGER = {"SH001": "manager_sh001", "SH002": "manager_sh002", "HZ001": "manager_hz001",
                 "SH003": "manager_sh003", "NJ01": "franchisee_nj01", "NJ02": "franchisee_nj01"}
EAST_STORES = frozenset(STORE_MANAGER)  # every demo store is in region EAST


def expected_holders(role: str | None, store_code: str | None) -> frozenset[str]:
    if role == "store_manager":
        return frozenset({STORE_MANAGER[store_code]}) if store_code in STORE_MANAGER else frozenset()
    if role == "franchisee":
        return frozenset({"franchisee_nj01"}) if store_code in ("NJ01", "NJ02") else frozenset()
    if role == "store_supervisor":
        return frozenset({"supervisor_east"}) if store_code in EAST_STORES else frozenset()
    return ROLE_HOLDERS.get(role or "", frozenset())


def actor(role: str, store_code: str | None = None) -> str:
    """One demo user holding `role` (for the store, when the role is scoped to stores or regions)."""
    holders = expected_holders(role, store_code)
    assert holders, f"no demo user holds {role} for {store_code!r}"
    return min(holders)
