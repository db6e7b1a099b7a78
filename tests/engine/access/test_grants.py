"""Who gets a task: the lane's role, scoped by store or region; claim, unclaim and assign."""
import pytest
from sqlalchemy import select

from engine import Conflict, InvalidData, PermissionDenied
from engine.access.grants import eligible_users
from engine.models import AuditEvent, HumanTask


@pytest.fixture
def checks(engine, session, people, deployed, tasks_of):
    """A parallel_inclusive case of SH001: check_stock (store_manager), check_staff (store_supervisor)."""
    case = engine.start(session, "parallel_inclusive", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 500})
    session.commit()
    return tasks_of(session, case.id)


def test_store_roles_are_scoped_and_company_roles_are_not(engine, session, people, checks, tasks_of):
    stock, staff = checks["check_stock"], checks["check_staff"]
    assert (stock.store_code, stock.region) == (staff.store_code, staff.region) == ("SH001", "EAST")
    assert [u.username for u in eligible_users(session, stock)] == ["deputy_sh001", "manager_sh001"]
    assert [u.username for u in eligible_users(session, staff)] == ["supervisor_east"]  # store -> region
    for name in ("manager_sh002", "supervisor_north", "director", "cs_li", "supervisor_east"):
        with pytest.raises(PermissionDenied):
            engine.claim(session, stock.id, people[name])
    for name in ("supervisor_north", "manager_sh001"):
        with pytest.raises(PermissionDenied):
            engine.claim(session, staff.id, people[name])
    session.rollback()
    assert engine.claim(session, staff.id, people["supervisor_east"]).assignee == "supervisor_east"
    engine.complete(session, staff.id, people["supervisor_east"], {"staff_ok": True})
    engine.complete(session, stock.id, people["deputy_sh001"], {"stock_ok": True, "needs_cs": True})
    session.commit()
    tasks = tasks_of(session, case_id := stock.instance_id)
    review, followup = tasks["director_review"], tasks["cs_followup"]
    assert (review.lane_role, review.store_code) == ("ops_director", "SH001")
    assert [u.username for u in eligible_users(session, review)] == ["director"]  # unscoped: any store
    with pytest.raises(PermissionDenied):
        engine.complete(session, followup.id, people["director"], {"note": "x"})
    session.rollback()
    engine.complete(session, followup.id, people["cs_li"], {"note": "x"})
    engine.complete(session, review.id, people["director"], {"approved": True})
    session.commit()
    assert tasks_of(session, case_id) == {}


def test_claim_and_unclaim_rules(engine, session, people, checks):
    stock = checks["check_stock"]
    m1, deputy, sup, north = (people[k] for k in ("manager_sh001", "deputy_sh001", "supervisor_east",
                                                   "supervisor_north"))
    with pytest.raises(Conflict):
        engine.unclaim(session, stock.id, m1)  # nobody has it
    engine.claim(session, stock.id, m1)
    assert engine.claim(session, stock.id, m1).assignee == "manager_sh001"  # claiming again is harmless
    session.commit()
    with pytest.raises(Conflict):
        engine.claim(session, stock.id, deputy)
    with pytest.raises(PermissionDenied):
        engine.complete(session, stock.id, deputy, {"stock_ok": True, "needs_cs": False})
    for other in (deputy, north):
        with pytest.raises(PermissionDenied):
            engine.unclaim(session, stock.id, other)
    session.rollback()
    assert engine.unclaim(session, stock.id, sup).assignee is None  # the region's supervisor may
    engine.claim(session, stock.id, deputy)
    assert engine.unclaim(session, stock.id, deputy).assignee is None  # and so may the holder
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.task_id == stock.id).order_by(AuditEvent.id))
    assert [(e.event_type, e.actor.username if e.actor else None) for e in events] == [
        ("task_created", None), ("task_claimed", "manager_sh001"), ("task_unclaimed", "supervisor_east"),
        ("task_claimed", "deputy_sh001"), ("task_unclaimed", "deputy_sh001")]


def test_assign_by_a_supervisor(engine, session, people, checks):
    stock = checks["check_stock"]
    sup, north, m1 = people["supervisor_east"], people["supervisor_north"], people["manager_sh001"]
    with pytest.raises(PermissionDenied):
        engine.assign(session, stock.id, m1, "deputy_sh001")  # not a supervisor
    with pytest.raises(PermissionDenied):
        engine.assign(session, stock.id, north, "deputy_sh001")  # another region's
    for wrong in ("manager_sh002", "cs_li", "nobody"):
        with pytest.raises(InvalidData) as refused:
            engine.assign(session, stock.id, sup, wrong)
        assert set(refused.value.fields) == {"user"}
    session.rollback()
    engine.claim(session, stock.id, m1)
    view = engine.assign(session, stock.id, sup, "deputy_sh001", reason="manager on leave")
    session.commit()
    assert view.assignee == "deputy_sh001"
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_assigned",
                                                       AuditEvent.actor_id.is_not(None))).all()
    assert (event.actor_id, event.task_id, event.message, event.data) == (
        sup.id, stock.id, "manager on leave", {"from": "manager_sh001", "to": "deputy_sh001"})
    case = engine.complete(session, stock.id, people["deputy_sh001"], {"stock_ok": True, "needs_cs": False})
    session.commit()
    session.expire_all()
    assert session.get(HumanTask, stock.id).completed_by.username == "deputy_sh001"
    assert [t.element_id for t in case.open_tasks] == ["check_staff"]
