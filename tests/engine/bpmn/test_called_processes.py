"""A call activity calling a process of another file: deployed with its callee, versioned together,
refused when the callee is missing; the callee's steps are the case's steps."""
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import DeployError, queries
from engine.bpmn.deploy import deploy_directory
from engine.bpmn.versions import Upload, deploy_uploads
from engine.models import AuditEvent, CalledVersion, ProcessDefinition, ProcessInstance, ProcessVersion
from engine.runtime.timers import fire_due_timers

SHARED = Path(__file__).parents[1] / "fixture_models" / "shared_call"


@pytest.fixture
def shared(tmp_path) -> Path:
    folder = tmp_path / "shared"
    shutil.copytree(SHARED, folder)
    return folder


def _version(session, key, number=None):
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    return session.scalar(select(ProcessVersion).where(
        ProcessVersion.definition_id == definition.id,
        ProcessVersion.version == (number or definition.latest_version)))


def _called(session, key, number=None):
    caller = _version(session, key, number)
    return {(c.callee_key, session.get(ProcessVersion, c.callee_version_id).version)
            for c in session.scalars(select(CalledVersion)
                                     .where(CalledVersion.caller_version_id == caller.id))}


def test_the_caller_is_deployed_with_its_callee_and_records_the_callee_version(session, clock, shared):
    results = {r.key: (r.version, r.created) for r in deploy_directory(session, shared, now=clock())}
    assert results == {"parcel_request": (1, True), "send_parcel": (1, True)}
    caller_files = {f.filename for f in _version(session, "parcel_request").files}
    assert {"send_parcel.bpmn", "pack_parcel.json", "parcel_request.bpmn"} <= caller_files
    assert _called(session, "parcel_request") == {("send_parcel", 1)}
    assert _called(session, "send_parcel") == set()

    # the callee changes: both get a new version, and the caller's records the callee's new one
    text = (shared / "send_parcel.bpmn").read_text("utf-8").replace("打包发货", "打包并发货")
    (shared / "send_parcel.bpmn").write_text(text, "utf-8")
    results = {r.key: (r.version, r.created) for r in deploy_directory(session, shared, now=clock())}
    assert results == {"parcel_request": (2, True), "send_parcel": (2, True)}
    assert _called(session, "parcel_request", 2) == {("send_parcel", 2)}
    assert _called(session, "parcel_request", 1) == {("send_parcel", 1)}
    again = deploy_directory(session, shared, now=clock())
    assert all(not r.created for r in again)


def test_a_missing_callee_is_refused_naming_the_file_and_the_call_activity(session, clock, shared, dump):
    (shared / "send_parcel.bpmn").unlink()
    before = dump(session)
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, shared, now=clock())
    assert str(refused.value).startswith("parcel_request.bpmn, element ship: calls process 'send_parcel'")
    assert (refused.value.filename, refused.value.element) == ("parcel_request.bpmn", "ship")
    assert dump(session) == before


def test_a_callee_form_clashing_with_the_callers_is_refused(session, clock, shared):
    (shared / "pack_parcel.json").write_text(json.dumps({"type": "object", "properties": {}}), "utf-8")
    folder = shared.parent / "clash"
    folder.mkdir()
    for f in shared.iterdir():
        shutil.copy(f, folder)
    # the caller names a form of its own with the callee's form's name
    text = (folder / "parcel_request.bpmn").read_text("utf-8").replace(
        'value="confirm_parcel.json"', 'value="pack_parcel.json"')
    (folder / "parcel_request.bpmn").write_text(text, "utf-8")
    (folder / "pack_parcel.json").unlink()
    forms = folder / "forms"
    (forms / "parcel_request").mkdir(parents=True)
    (forms / "send_parcel").mkdir()
    (forms / "parcel_request" / "pack_parcel.json").write_text('{"type": "object"}', "utf-8")
    shutil.copy(SHARED / "pack_parcel.json", forms / "send_parcel")
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, folder, forms, now=clock())
    assert "parcel_request.bpmn, element ship: send_parcel.bpmn brings its own pack_parcel.json" in str(
        refused.value)


def test_a_callee_user_task_with_a_callers_id_is_refused(session, clock, shared):
    text = (shared / "send_parcel.bpmn").read_text("utf-8").replace("pack_parcel", "confirm_parcel")
    (shared / "send_parcel.bpmn").write_text(text, "utf-8")
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, shared, now=clock())
    assert "element confirm_parcel: a user task of" in str(refused.value)


def test_an_upload_of_the_caller_alone_calls_the_deployed_callee(session, clock, shared, root):
    deploy_directory(session, shared, now=clock())
    text = (shared / "parcel_request.bpmn").read_text("utf-8").replace("确认收件", "确认已收件")
    [result] = deploy_uploads(session, root, [Upload("parcel_request.bpmn", text.encode())], clock())
    assert (result.key, result.version, result.created) == ("parcel_request", 2, True)
    assert _called(session, "parcel_request", 2) == {("send_parcel", 1)}
    assert "send_parcel.bpmn" in {f.filename for f in _version(session, "parcel_request", 2).files}


def test_an_upload_calling_a_process_nobody_deployed_is_refused(session, clock, shared, root):
    text = (shared / "parcel_request.bpmn").read_text("utf-8")
    uploads = [Upload("parcel_request.bpmn", text.encode())] + [
        Upload(name, (shared / name).read_bytes()) for name in ("start.json", "confirm_parcel.json")]
    with pytest.raises(DeployError) as refused:
        deploy_uploads(session, root, uploads, clock())
    assert "parcel_request.bpmn, element ship: calls process 'send_parcel'" in str(refused.value)


def test_the_callees_steps_are_the_cases_steps(engine, sessions, session, people, clock, shared, tasks_of):
    deploy_directory(session, shared, now=clock())
    session.commit()
    manager = people["manager_sh001"]
    case = engine.start(session, "parcel_request", manager, {"store_code": "SH001", "note": "样品"})
    session.commit()
    tasks = tasks_of(session, case.id)
    assert set(tasks) == {"pack_parcel"}
    pack = tasks["pack_parcel"]
    assert (pack.process_key, pack.store_code, pack.lane_role, pack.name) == (
        "parcel_request", "SH001", "store_manager", "打包发货")
    listed = queries.list_tasks(session, manager, queries.TaskFilter(), clock()).items
    assert [t.element_id for t in listed] == ["pack_parcel"]
    detail = queries.task_detail(engine, session, manager, pack.id)
    assert detail.form["required"] == ["tracking_no"]
    page = queries.case_page_view(engine, session, manager, case.id, clock())
    assert "ship" in page.markers.current  # the caller's diagram shows the call activity under way
    assert (page.element_names["pack_parcel"], page.element_names["ship"]) == ("打包发货", "发货")

    # the callee's 48-hour timer is the case's timer
    instance = session.get(ProcessInstance, case.id)
    assert instance.next_timer_at == clock() + timedelta(hours=48)
    assert fire_due_timers(engine, sessions, clock.advance(hours=48, seconds=1)) == 1
    session.expire_all()
    chased = session.scalar(select(AuditEvent).where(AuditEvent.instance_id == case.id,
                                                     AuditEvent.element_id == "chase_parcel"))
    assert chased is not None and chased.message == "催发货"

    case = engine.complete(session, pack.id, manager, {"tracking_no": "SF123"})
    session.commit()
    [confirm] = case.open_tasks
    assert confirm.element_id == "confirm_parcel"
    assert queries.task_detail(engine, session, manager, confirm.id).case["tracking_no"] == "SF123"
    case = engine.complete(session, confirm.id, manager, {"received": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "received")


def test_the_model_page_lists_the_callee_version_of_each_caller_version(session, clock, shared, root):
    from engine.bpmn.versions import process_versions
    deploy_directory(session, shared, now=clock())
    text = (shared / "send_parcel.bpmn").read_text("utf-8").replace("打包发货", "打包并发货")
    (shared / "send_parcel.bpmn").write_text(text, "utf-8")
    deploy_directory(session, shared, now=clock())
    _, versions, _ = process_versions(session, root, "parcel_request")
    assert [(v.version, v.calls) for v in versions] == [
        (2, (("send_parcel", 2),)), (1, (("send_parcel", 1),))]
