"""The seeded history has the daily hand-offs too, each as its catalogue allows: expense claims only
at direct stores, inspections at every kind of store, with the outcomes their models end in."""
from sqlalchemy import select

from engine.models import ProcessInstance, Store
from workflows import history_paths
from workflows.catalogue import catalogue
from workflows.history_seed import seed_history

from .conftest import T0


def test_seeded_claims_are_at_direct_stores_and_inspections_anywhere(sqlite_world):
    with sqlite_world.sessions() as s:
        summary = seed_history(s, model=history_paths, cases=300, now=T0, days=90, seed=5,
                               catalogue=catalogue())
        s.commit()
        kinds = dict(s.execute(select(Store.code, Store.kind)).all())
        case = ProcessInstance
        rows = s.execute(select(case.process_key, case.store_code, case.outcome, case.business_key)).all()
    assert summary.by_process["expense_claim"] > 30 and summary.by_process["store_inspection"] > 5
    claims = [r for r in rows if r.process_key == "expense_claim"]
    assert {kinds[r.store_code] for r in claims} == {"direct"}
    assert {r.outcome for r in claims} <= {"paid", "rejected", "terminated", None}
    assert all(r.business_key.startswith("EX-") for r in claims)
    inspections = [r for r in rows if r.process_key == "store_inspection"]
    assert {r.outcome for r in inspections} <= {"completed", "terminated", None}
