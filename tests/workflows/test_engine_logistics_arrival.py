"""物流到货: the logistics system reports arrival (`logistics_arrival`, docs/modelling.md) while the
receiving side's receipt is open, in a transfer and in a franchisee's order: the arrival is checked
against the message's form, written into the receipt's data (its page shows it), the receiving store
is told, and the receipt still completes; once received, nothing waits for the message."""
import pytest
from sqlalchemy import select

from engine import queries, runtime
from engine.directory import RoleSpec, insert_user_unchecked
from engine.errors import InvalidData, NotFound
from engine.models import CaseCc, Notification, ProcessInstance, User

ARRIVAL = {"arrived_at": "2026-11-04T15:20:00+08:00", "signed_by": "张店长", "carrier": "顺丰速运",
           "parcels": 3}


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


def deliver(world, correlation, payload=ARRIVAL):
    with world.sessions() as s:
        robot = s.scalar(select(User).where(User.username == "wms_robot"))
        if robot is None:
            robot = insert_user_unchecked(s, "wms_robot", None, password_hash="!",
                                          roles=[RoleSpec("integration")], now=world.clock())
        try:
            delivered = runtime.receive_message(world.engine, s, robot, "logistics_arrival", correlation,
                                                payload)
            s.commit()
            return delivered
        except Exception:
            s.rollback()
            raise


def shipped_transfer(world):
    case = world.start("manager_sh001", "stock_transfer")
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "ship_from_store", "manager_sh002")
    return case


def told(world, case_id):
    with world.sessions() as s:
        cc = {u for u, in s.execute(select(User.username).join(CaseCc, CaseCc.user_id == User.id)
                                   .where(CaseCc.instance_id == case_id))}
        bell = {u for u, in s.execute(select(User.username)
                                     .join(Notification, Notification.recipient_id == User.id)
                                     .where(Notification.instance_id == case_id, Notification.kind == "cc"))}
    return cc, bell


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_the_arrival_is_recorded_on_the_open_receipt_and_the_store_is_told(world):
    case = shipped_transfer(world)
    receipt = world.task(case.id, "confirm_receipt")
    assert (world.case_data(receipt.id)["arrived_at"], world.case_data(receipt.id)["signed_by"]) == ("", "")

    [delivered] = deliver(world, {"logistics_no": "SF1029384756"})
    assert (delivered.instance_id, delivered.status, delivered.incident) == (case.id, "running", None)
    assert world.open_ids(case.id) == ["confirm_receipt"]  # the receipt stays open, the same task
    assert world.task(case.id, "confirm_receipt").id == receipt.id
    data = world.detail("manager_sh001", receipt.id).case
    assert {k: data[k] for k in ARRIVAL} == ARRIVAL
    assert told(world, case.id) == ({"manager_sh001"}, {"manager_sh001"})
    [event] = [e for e in world.events(case.id) if e.event_type == "message_received"]
    assert event.message == "logistics_arrival" and event.data["payload"] == ARRIVAL
    with pytest.raises(NotFound):  # the first arrival counts: a repeat finds nothing waiting
        deliver(world, {"logistics_no": "SF1029384756"}, {**ARRIVAL, "signed_by": "someone else"})

    done = world.complete("manager_sh001", world.task(case.id, "confirm_receipt"))
    assert (done.status, done.outcome) == ("completed", "transferred")
    with world.sessions() as s:  # the completed receipt carried the arrival on
        assert queries.case_data(world.engine, s, s.get(ProcessInstance, case.id))["signed_by"] == "张店长"
    with pytest.raises(NotFound):  # received: nothing waits for the arrival any more
        deliver(world, {"logistics_no": "SF1029384756"})


def test_a_franchisee_order_is_told_of_its_arrival_by_business_key(world):
    case = world.start("franchisee_nj01", "franchise_order")
    step(world, case, "cs_check", "cs_li")
    step(world, case, "allocate", "merch_zhao")
    step(world, case, "ship_from_warehouse", "warehouse_qian")
    receipt = world.task(case.id, "confirm_receipt")
    with pytest.raises(NotFound):  # another case's key
        deliver(world, {"business_key": "TF-20261102-00001"})
    [delivered] = deliver(world, {"business_key": case.business_key, "logistics_no": "SF1029384756"},
                          {"arrived_at": "2026-11-05T10:00:00+08:00", "signed_by": "冯老板"})
    assert delivered.instance_id == case.id
    data = world.detail("franchisee_nj01", receipt.id).case
    assert (data["arrived_at"], data["signed_by"]) == ("2026-11-05T10:00:00+08:00", "冯老板")
    assert told(world, case.id)[0] == {"franchisee_nj01"}
    done = world.complete("franchisee_nj01", world.task(case.id, "confirm_receipt"))
    assert (done.status, done.outcome) == ("completed", "delivered")


@pytest.mark.parametrize(("payload", "field"), [
    ({"signed_by": "张店长"}, "payload.arrived_at"),
    ({**ARRIVAL, "arrived_at": "tomorrow"}, "payload.arrived_at"),
    ({**ARRIVAL, "signed_by": ""}, "payload.signed_by"),
    ({**ARRIVAL, "parcels": 0}, "payload.parcels"),
    (None, "payload.arrived_at"),
])
def test_a_bad_arrival_names_its_field_and_changes_nothing(world, payload, field):
    case = shipped_transfer(world)
    before = world.dump(case.id)
    with pytest.raises(InvalidData) as refused:
        deliver(world, {"logistics_no": "SF1029384756"}, payload)
    assert field in refused.value.fields
    assert world.dump(case.id) == before
