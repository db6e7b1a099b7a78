"""A background step that fails becomes an incident on its case; an administrator retries or resolves it."""
import pytest
from sqlalchemy import select

from engine import Conflict, Engine, InvalidData, NotFound, PermissionDenied, ProcessError, runtime
from engine.bpmn.deploy import deploy_directory
from engine.models import AuditEvent, Incident, ProcessInstance
from engine.queries.incidents import incidents_of
from engine.runtime.background import deliver_message, hold_running, run_step
from engine.runtime.incidents import IncidentOpen
from engine.runtime.timers import fire_due_timers

FIXED_SHARE = ("share = round(100 / divisor, 2)", "share = round(100 / max(divisor, 1), 2)")


def _instance(session, case_id):
    session.expire_all()
    return session.get(ProcessInstance, case_id)


def _incidents(session, case_id):
    session.expire_all()
    return session.scalars(select(Incident).where(Incident.instance_id == case_id)
                           .order_by(Incident.id)).all()


def _events(session, case_id, *types):
    return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                    AuditEvent.event_type.in_(types)).order_by(AuditEvent.id)).all()


def _start(engine, session, people, divisor, pad=0):
    case = engine.start(session, "incident_timer", people["manager_sh001"],
                        {"store_code": "SH001", "divisor": divisor, "pad": pad})
    session.commit()
    return case.id


@pytest.fixture
def stopped(engine, sessions, session, people, deployed, clock):
    """A case whose day-later script divided by zero when the scheduler fired its timer."""
    case_id = _start(engine, session, people, divisor=0)
    assert fire_due_timers(engine, sessions, clock.advance(days=1)) == 0
    [incident] = _incidents(session, case_id)
    return case_id, incident.id


def test_a_failing_timer_step_stops_its_case_on_an_incident_and_the_scheduler_goes_on_with_the_others(
        engine, sessions, session, people, deployed, clock, tasks_of):
    ids = [_start(engine, session, people, divisor) for divisor in (2, 0, 5)]
    failed_at = clock.advance(days=1)
    assert fire_due_timers(engine, sessions, failed_at) == 2
    good, bad, other = (_instance(session, i) for i in ids)
    for instance in (good, other):
        assert instance.status == "running" and set(tasks_of(session, instance.id)) == {"check_share"}
    assert bad.status == "error" and tasks_of(session, bad.id) == {}
    [incident] = _incidents(session, bad.id)
    assert (incident.status, incident.job, incident.element_id, incident.element_name) == (
        "open", "timer", "compute_share", "计算占比")
    assert (incident.error_type, incident.message, incident.attempts) == (
        "ZeroDivisionError", "division by zero", 1)
    assert incident.occurred_at == incident.failed_at == failed_at
    [opened] = _events(session, bad.id, "incident_opened")
    assert (opened.element_id, opened.actor_id, opened.data["incident"]) == (
        "compute_share", None, incident.id)

    later = _start(engine, session, people, divisor=4)  # the scheduler goes on, skipping the stopped case
    for _ in range(3):
        fire_due_timers(engine, sessions, clock.advance(days=1))
    assert set(tasks_of(session, later)) == {"check_share"}
    [incident] = _incidents(session, bad.id)
    assert (incident.attempts, incident.failed_at, _instance(session, bad.id).status) == (
        1, failed_at, "error")


def test_retry_fails_again_on_the_same_model_then_goes_through_on_the_fixed_version(
        engine, session, people, root, clock, stopped, model_dir, tasks_of):
    case_id, incident_id = stopped
    clock.advance(hours=1)
    result = runtime.retry_incident(engine, session, case_id, incident_id, root, "try once more")
    session.commit()
    assert not result.retried and result.instance.status == "error"
    assert (result.incident.status, result.incident.attempts, result.incident.failed_at) == (
        "open", 2, clock())
    [incident] = _incidents(session, case_id)
    assert (incident.status, incident.attempts) == ("open", 2)
    [attempt] = _events(session, case_id, "incident_retried")
    assert (attempt.actor_id, attempt.message, attempt.data["succeeded"]) == (root.id, "try once more", False)
    steps = _events(session, case_id, "step")
    assert [e.element_id for e in steps] == ["start_incident_timer"]  # nothing of the attempt kept

    folder = model_dir("incident_timer")
    text = (folder / "incident_timer.bpmn").read_text("utf-8")
    (folder / "incident_timer.bpmn").write_text(text.replace(*FIXED_SHARE), "utf-8")
    [deployed] = deploy_directory(session, folder, now=clock())
    session.commit()
    assert deployed.version == 2
    clock.advance(hours=1)
    result = runtime.retry_incident(engine, session, case_id, incident_id, root, "divisor guarded in v2",
                                   latest_version=True)
    session.commit()
    assert result.retried and (result.instance.status, result.instance.version) == ("running", 2)
    [incident] = _incidents(session, case_id)
    assert (incident.status, incident.resolution, incident.resolved_by_id, incident.reason,
            incident.resolved_at) == ("resolved", "retried", root.id, "divisor guarded in v2", clock())
    instance = _instance(session, case_id)
    assert (instance.status, instance.version.version, instance.last_error) == ("running", 2, None)
    check = tasks_of(session, case_id)["check_share"]
    case = engine.complete(session, check.id, people["manager_sh001"], {"ok": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "checked")
    retried = _events(session, case_id, "incident_retried")[-1]
    assert (retried.data["succeeded"], retried.data["version"], retried.message) == (True, [1, 2],
                                                                                    "divisor guarded in v2")


def test_retry_with_corrected_data(engine, session, people, root, clock, stopped, tasks_of):
    case_id, incident_id = stopped
    result = runtime.retry_incident(engine, session, case_id, incident_id, root, "the store has 4 parts",
                                   data={"divisor": 4})
    session.commit()
    assert result.retried and result.incident.resolution == "retried"
    [task] = tasks_of(session, case_id).values()
    from engine import queries
    assert queries.task_detail(engine, session, people["manager_sh001"], task.id).case["share"] == 25.0
    retried = _events(session, case_id, "incident_retried")[-1]
    assert retried.data["data"] == {"divisor": [0, 4]}


@pytest.mark.parametrize(("data", "field"), [
    ({"_hidden": 1}, "data"), ({"divisor": float("nan")}, "data"), ("4", "data"),
    ({"x": "y" * 70_000}, "data")])
def test_corrected_data_must_be_small_plain_json(engine, session, root, stopped, dump, data, field):
    case_id, incident_id = stopped
    before = dump(session)
    with pytest.raises(InvalidData) as refused:
        runtime.retry_incident(engine, session, case_id, incident_id, root, "fix", data=data)
    assert field in refused.value.fields
    assert dump(session) == before


def test_only_an_administrator_retries_or_resolves_and_always_with_a_reason(
        engine, session, people, root, stopped, dump):
    case_id, incident_id = stopped
    before = dump(session)
    for who in ("director", "supervisor_east", "manager_sh001"):
        with pytest.raises(PermissionDenied):
            runtime.retry_incident(engine, session, case_id, incident_id, people[who], "me too")
        with pytest.raises(PermissionDenied):
            runtime.resolve_incident(engine, session, case_id, incident_id, people[who], "me too")
    with pytest.raises(InvalidData) as refused:
        runtime.retry_incident(engine, session, case_id, incident_id, root, "  ")
    assert refused.value.fields == {"reason": "required"}
    with pytest.raises(NotFound):
        runtime.retry_incident(engine, session, case_id + 1, incident_id, root, "wrong case")
    assert dump(session) == before


def test_resolving_by_hand_hands_the_case_back_suspended(engine, session, people, root, clock, stopped, dump):
    case_id, incident_id = stopped
    sup = people["supervisor_east"]
    with pytest.raises(IncidentOpen):  # resuming would run the failed step behind the administrators' back
        engine.resume(session, case_id, sup, "try it")
    session.rollback()

    view = runtime.resolve_incident(engine, session, case_id, incident_id, root,
                                   "counted by hand, see comment")
    session.commit()
    assert (view.status, view.resolution, view.resolved_by) == ("resolved", "resolved", "root")
    assert _instance(session, case_id).status == "suspended"
    [resolved] = _events(session, case_id, "incident_resolved")
    assert (resolved.actor_id, resolved.message) == (root.id, "counted by hand, see comment")
    with pytest.raises(Conflict):
        runtime.retry_incident(engine, session, case_id, incident_id, root, "again")
    session.rollback()

    clock.advance(hours=1)
    before = dump(session)
    with pytest.raises(ProcessError) as refused:  # a supervisor's resume is a user command: refused, named
        engine.resume(session, case_id, sup, "go on")
    assert refused.value.element == "compute_share"
    session.rollback()
    assert dump(session) == before
    case = engine.terminate(session, case_id, sup, "closed")
    session.commit()
    assert case.status == "terminated"


def test_terminating_a_stopped_case_settles_its_incident(engine, session, people, clock, stopped):
    case_id, incident_id = stopped
    engine.terminate(session, case_id, people["director"], "no longer needed")
    session.commit()
    [incident] = _incidents(session, case_id)
    assert (incident.status, incident.resolution, incident.reason, incident.resolved_by_id) == (
        "resolved", "terminated", "no longer needed", people["director"].id)


def test_case_data_over_the_limit_in_a_timer_step_becomes_an_incident(sessions, session, people, deployed,
                                                                       clock):
    engine = Engine(clock=clock, max_case_bytes=20_000)
    case_id = _start(engine, session, people, divisor=2, pad=30_000)
    assert fire_due_timers(engine, sessions, clock.advance(days=1)) == 0
    [incident] = _incidents(session, case_id)
    assert (incident.element_id, incident.error_type) == ("pad_notes", "CaseDataTooLarge")
    assert incident.message == "the case data would exceed its limit of 20,000 bytes"
    assert len(_instance(session, case_id).state) < 20_000  # the state before the timer, untouched


def test_a_failing_message_step_becomes_an_incident_and_a_retry_delivers_the_message_again(
        engine, sessions, session, people, deployed, root, clock, model_dir, tasks_of):
    case = engine.start(session, "incident_message", people["manager_sh001"],
                        {"store_code": "SH001", "total": 12})
    session.commit()
    assert not deliver_message(engine, sessions, case.id, "boxes_counted", {"boxes": 0})
    [incident] = _incidents(session, case.id)
    assert (incident.job, incident.job_data, incident.element_id) == (
        "message", {"name": "boxes_counted", "payload": {"boxes": 0}}, "split_boxes")
    assert _events(session, case.id, "message_received") == []
    with pytest.raises(Conflict):  # the sender hears a refusal that is theirs to fix
        deliver_message(engine, sessions, case.id, "boxes_counted", {"boxes": 3})

    folder = model_dir("incident_message")
    text = (folder / "incident_message.bpmn").read_text("utf-8")
    fixed = text.replace('round(total / counted["boxes"], 2)', 'round(total / max(counted["boxes"], 1), 2)')
    (folder / "incident_message.bpmn").write_text(fixed, "utf-8")
    deploy_directory(session, folder, now=clock())
    session.commit()
    result = runtime.retry_incident(engine, session, case.id, incident.id, root, "fixed in v2",
                                    latest_version=True)
    session.commit()
    assert result.retried and set(tasks_of(session, case.id)) == {"check_share"}
    [received] = _events(session, case.id, "message_received")
    assert received.data == {"payload": {"boxes": 0}}


def test_an_unexpected_error_in_a_step_becomes_an_incident_without_its_details(
        engine, sessions, session, people, deployed, clock):
    case_id = _start(engine, session, people, divisor=2)

    def step():
        raise KeyError("<object at 0xdeadbeef> internals")

    with sessions() as own:
        assert not run_step(own, case_id, "timer", step, lambda wait: hold_running(own, case_id), clock())
    [incident] = incidents_of(session, case_id)
    assert (incident.error_type, incident.element_id) == ("KeyError", None)
    assert "0xdeadbeef" not in incident.message and "internals" not in incident.message


def test_two_schedulers_open_one_incident_for_one_failing_case(engine, session, people, deployed, clock,
                                                                race_schedulers):
    ids = [_start(engine, session, people, divisor) for divisor in (0, 1, 2, 0)]
    fired = race_schedulers(clock.advance(days=1))
    assert sum(fired) == 2
    for case_id in (ids[0], ids[3]):
        [incident] = _incidents(session, case_id)
        assert incident.attempts == 1
        assert len(_events(session, case_id, "incident_opened")) == 1


def test_the_incidents_of_a_case_list_open_ones_first(engine, session, root, clock, stopped):
    case_id, incident_id = stopped
    runtime.retry_incident(engine, session, case_id, incident_id, root, "again")
    session.commit()
    [view] = incidents_of(session, case_id)
    assert view.open and view.to_dict()["attempts"] == 2
    assert view.to_dict()["occurred_at"] == clock().isoformat()
