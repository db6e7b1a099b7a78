"""Messages from other systems: delivered to the waiting cases that correlate, refused otherwise."""
import pytest
from sqlalchemy import select

from engine import InvalidData, NotFound, PermissionDenied, runtime
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.models import AuditEvent, Incident, ProcessInstance


@pytest.fixture
def robot(session, clock):
    """A logistics system's API client."""
    user = insert_user_unchecked(session, "wms", None, password_hash="!", roles=[RoleSpec("integration")],
                                 now=clock())
    session.commit()
    return user


def _waiting(engine, session, people, store, total):
    case = engine.start(session, "incident_message", people[f"manager_{store.lower()}"],
                        {"store_code": store, "total": total})
    session.commit()
    return case


def _events(session, case_id):
    return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                    AuditEvent.event_type == "message_received")).all()


def test_a_message_reaches_only_the_cases_it_correlates_with(engine, session, people, deployed, robot,
                                                              tasks_of):
    first = _waiting(engine, session, people, "SH001", 12)
    second = _waiting(engine, session, people, "SH002", 12)
    delivered = runtime.receive_message(engine, session, robot, "boxes_counted", {"store_code": "SH002"},
                                        {"boxes": 3})
    session.commit()
    assert [(d.instance_id, d.status, d.incident) for d in delivered] == [(second.id, "running", None)]
    assert set(tasks_of(session, second.id)) == {"check_share"} and tasks_of(session, first.id) == {}
    [event] = _events(session, second.id)
    assert (event.actor_id, event.message) == (robot.id, "boxes_counted")
    assert event.data == {"payload": {"boxes": 3}, "correlation": {"store_code": "SH002"}}

    by_key = runtime.receive_message(engine, session, robot, "boxes_counted",
                                     {"business_key": first.business_key, "total": 12}, {"boxes": 4})
    session.commit()
    assert [d.instance_id for d in by_key] == [first.id]


def test_a_message_on_case_data_reaches_every_case_that_matches(engine, session, people, deployed, root):
    cases = [_waiting(engine, session, people, store, 7) for store in ("SH001", "SH002")]
    _waiting(engine, session, people, "SH001", 8)
    delivered = runtime.receive_message(engine, session, root, "boxes_counted", {"total": 7}, {"boxes": 7})
    session.commit()
    assert sorted(d.instance_id for d in delivered) == sorted(c.id for c in cases)


def test_nothing_waiting_is_not_found_and_changes_nothing(engine, session, people, deployed, robot, dump):
    case = _waiting(engine, session, people, "SH001", 12)
    before = dump(session)
    for name, correlation in (("boxes_counted", {"store_code": "BJ001"}),
                              ("boxes_counted", {"business_key": case.business_key, "total": 13}),
                              ("goods_arrived", {"business_key": case.business_key}),
                              ("nobody_waits", {"store_code": "SH001"})):
        with pytest.raises(NotFound):
            runtime.receive_message(engine, session, robot, name, correlation, None)
        session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize(("name", "correlation", "payload", "field"), [
    ("", {"store_code": "SH001"}, None, "name"),
    (7, {"store_code": "SH001"}, None, "name"),
    ("boxes_counted", {}, None, "correlation"),
    ("boxes_counted", ["SH001"], None, "correlation"),
    ("boxes_counted", {"_secret": 1}, None, "correlation"),
    ("boxes_counted", {"store_code": None}, None, "correlation.store_code"),
    ("boxes_counted", {"total": 1.5}, None, "correlation.total"),
    ("boxes_counted", {"store_code": "SH001"}, {"x": "y" * 70_000}, "payload"),
])
def test_a_bad_message_names_its_field(engine, session, people, deployed, robot, dump, name, correlation,
                                       payload, field):
    _waiting(engine, session, people, "SH001", 12)
    before = dump(session)
    with pytest.raises(InvalidData) as refused:
        runtime.receive_message(engine, session, robot, name, correlation, payload)
    assert field in refused.value.fields
    session.rollback()
    assert dump(session) == before


def test_only_integration_clients_and_administrators_deliver_messages(engine, session, people, deployed,
                                                                    dump):
    _waiting(engine, session, people, "SH001", 12)
    before = dump(session)
    with pytest.raises(PermissionDenied):
        runtime.receive_message(engine, session, people["director"], "boxes_counted",
                                {"store_code": "SH001"}, {"boxes": 1})
    session.rollback()
    assert dump(session) == before


def test_a_model_failing_on_the_message_stops_that_case_on_an_incident(engine, session, people, deployed,
                                                                      robot, root, tasks_of):
    failing = _waiting(engine, session, people, "SH001", 12)
    delivered = runtime.receive_message(engine, session, robot, "boxes_counted", {"store_code": "SH001"},
                                        {"boxes": 0})
    session.commit()
    [incident] = session.scalars(select(Incident).where(Incident.instance_id == failing.id)).all()
    assert [(d.instance_id, d.status, d.incident) for d in delivered] == [(failing.id, "error", incident.id)]
    assert (incident.job, incident.job_data, incident.element_id) == (
        "message", {"name": "boxes_counted", "payload": {"boxes": 0}}, "split_boxes")
    assert session.get(ProcessInstance, failing.id).status == "error"
    assert _events(session, failing.id) == []
    result = runtime.retry_incident(engine, session, failing.id, incident.id, root, "fixed the count",
                                    data={"total": 12})
    session.commit()
    assert not result.retried  # the payload still divides by zero boxes: the attempt is counted


SHIP_PARENT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:message id="shipped" name="shipped" />
  <bpmn:process id="ship_parent" name="发货" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
    <bpmn:callActivity id="call" calledElement="ship_child" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
  <bpmn:process id="ship_child" isExecutable="true">
    <bpmn:startEvent id="cs" />
    <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="wait_shipped" />
    <bpmn:intermediateCatchEvent id="wait_shipped">
      <bpmn:messageEventDefinition id="md" messageRef="shipped">
        <bpmn:extensionElements><spiffworkflow:messageVariable>ship</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="c2" sourceRef="wait_shipped" targetRef="ce" />
    <bpmn:endEvent id="ce" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_message_reaches_a_step_waiting_inside_a_called_subprocess(engine, session, people, deployed, robot,
                                                                    clock, tmp_path):
    from engine.bpmn.deploy import deploy_directory
    (tmp_path / "ship").mkdir()
    (tmp_path / "ship" / "ship_parent.bpmn").write_text(SHIP_PARENT, "utf-8")
    deploy_directory(session, tmp_path / "ship", now=clock())
    case = engine.start(session, "ship_parent", people["manager_sh001"], {})
    session.commit()
    assert case.status == "running"
    [delivered] = runtime.receive_message(engine, session, robot, "shipped",
                                          {"business_key": case.business_key}, {"logistics_no": "SF1"})
    session.commit()
    assert (delivered.instance_id, delivered.status) == (case.id, "completed")
