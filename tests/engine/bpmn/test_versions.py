"""Deploying uploaded model files: one process at a time, the rest carried over from its current
version, everything validated first, nothing stored when a file is refused; only administrators."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bpmn import versions as model_admin
from engine.bpmn.versions import Upload
from engine.errors import Conflict, DeployError, NotFound, PermissionDenied
from engine.models import ModelFile, ProcessVersion

MODELS = Path(__file__).parents[1] / "fixture_models"



def upload(name: str, text: str | None = None) -> Upload:
    return Upload(name, (text if text is not None else (MODELS / name).read_text("utf-8")).encode("utf-8"))


def versions(session, key: str) -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion).join(ProcessVersion.definition)
                          .where(ProcessVersion.definition.has(key=key)))


def test_only_administrators_see_or_deploy_models(session, people, deployed, clock):
    director = people["director"]
    for call in (lambda: model_admin.list_processes(session, director),
                 lambda: model_admin.process_versions(session, director, "lanes_gateway"),
                 lambda: model_admin.version_file(session, director, "lanes_gateway", 1,
                                                  "lanes_gateway.bpmn"),
                 lambda: model_admin.deploy_uploads(session, director, [upload("report.json")], clock(),
                                                    key="lanes_gateway")):
        with pytest.raises(PermissionDenied):
            call()


def test_a_changed_form_alone_becomes_a_new_version_with_the_other_files_carried_over(
        engine, session, people, deployed, root, clock):
    running = engine.start(session, "lanes_gateway", people["manager_sh001"],
                           {"store_code": "SH001", "amount": 1})
    form = json.loads((MODELS / "report.json").read_text("utf-8"))
    form["properties"]["summary"]["maxLength"] = 50
    [result] = model_admin.deploy_uploads(session, root, [upload("report.json", json.dumps(form))], clock(),
                                          key="lanes_gateway")
    assert (result.key, result.version, result.created) == ("lanes_gateway", 2, True)
    summary, history, files = model_admin.process_versions(session, root, "lanes_gateway")
    assert summary.latest.version == 2 and [v.version for v in history] == [2, 1]
    assert {f.filename for f in files} == {"lanes_gateway.bpmn", "start.json", "report.json", "approve.json"}
    stored = model_admin.version_file(session, root, "lanes_gateway", 2, "report.json")
    assert json.loads(stored.content)["properties"]["summary"]["maxLength"] == 50
    assert history[1].running == 1 and history[0].running == 0  # the running case stays on version 1
    assert engine.latest_version(session, "lanes_gateway").version == 2
    assert running.version == 1


def test_uploading_what_is_deployed_already_changes_nothing(session, deployed, root, clock):
    [result] = model_admin.deploy_uploads(session, root,
                                          [upload("lanes_gateway.bpmn"), upload("report.json")], clock())
    assert (result.version, result.created) == (1, False)
    assert versions(session, "lanes_gateway") == 1


@pytest.mark.parametrize("uploads, key, says", [
    ([upload("lanes_gateway.bpmn", "<bpmn:definitions")], None,
     "lanes_gateway.bpmn, line 1: not well-formed"),
    ([upload("lanes_gateway.bpmn", (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace(
        'value="report.json"', 'value="missing.json"'))], None,
     "element report: form 'missing.json' not found"),
    ([upload("report.json", '{"type": "object", "properties": {"x": {"type": "nonsense"}}}')],
     "lanes_gateway", "report.json (the form of element report"),
    ([upload("report.json", "{not json")], "lanes_gateway", "report.json, line 1: invalid JSON"),
    ([upload("survey.json")], "lanes_gateway", "survey.json: not used by lanes_gateway"),
    ([upload("report.json")], None, "choose the process's .bpmn file too"),
    ([upload("discount.bpmn")], "lanes_gateway", "this page deploys process 'lanes_gateway' only"),
    ([Upload("../evil.bpmn", b"x")], None, "only .bpmn, .dmn and .json files"),
    ([Upload("notes.txt", b"x")], None, "only .bpmn, .dmn and .json files"),
    ([Upload("report.json", b"\xff\xfe\x00")], "lanes_gateway", "report.json: not UTF-8"),
    ([upload("report.json"), upload("report.json")], "lanes_gateway", "report.json: chosen twice"),
    ([], "lanes_gateway", "choose at least one"),
])
def test_a_refused_upload_names_the_file_and_stores_nothing(session, deployed, root, clock, dump, uploads,
                                                            key, says):
    before = dump(session)
    with pytest.raises(DeployError) as refused:
        model_admin.deploy_uploads(session, root, uploads, clock(), key=key)
    assert says in refused.value.message
    session.rollback()
    assert dump(session) == before


def test_a_new_process_comes_with_its_forms(session, deployed, root, clock):
    bpmn = (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace('"lanes_gateway"', '"weekly_report"')
    with pytest.raises(DeployError, match="element approve: form 'approve.json' not found in the upload"):
        model_admin.deploy_uploads(session, root, [upload("weekly_report.bpmn", bpmn)], clock())
    uploads = [upload("weekly_report.bpmn", bpmn), upload("start.json"), upload("report.json"),
               upload("approve.json")]
    results = model_admin.deploy_uploads(session, root, uploads, clock())
    assert [(r.key, r.version, r.created) for r in results] == [("weekly_report", 1, True)]
    listed = {p.key: p for p in model_admin.list_processes(session, root)}
    assert listed["weekly_report"].latest.files == 4 and listed["weekly_report"].running == 0
    assert listed["weekly_report"].latest.deployed_by == "root"


def test_unknown_processes_and_files_are_not_found(session, deployed, root, clock):
    with pytest.raises(NotFound):
        model_admin.process_versions(session, root, "nope")
    with pytest.raises(NotFound):
        model_admin.version_file(session, root, "lanes_gateway", 1, "nope.json")
    with pytest.raises(NotFound):
        model_admin.deploy_uploads(session, root, [upload("report.json")], clock(), key="nope")
    assert session.scalar(select(func.count()).select_from(ModelFile)) > 0


def test_a_lane_that_is_no_role_is_refused_when_the_roles_are_known(session, deployed, root, clock, dump):
    before = dump(session)
    changed = (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace('name="ops_director"',
                                                                         'name="director"')
    with pytest.raises(DeployError) as refused:
        model_admin.deploy_uploads(session, root, [upload("lanes_gateway.bpmn", changed)], clock(),
                                   roles={"store_manager", "ops_director"})
    assert refused.value.message.startswith(
        "lanes_gateway.bpmn, element approve: lane 'director' is not a role")
    session.rollback()
    assert dump(session) == before


def test_starters_named_by_the_model_start_a_process_the_catalogue_does_not_know(session, people, deployed,
                                                                                root, clock):
    """Without a catalogue entry the model's `starterRoles` decide; the real catalogue is closed by
    default, so a process that names no starters cannot be started by anyone."""
    from engine import Engine
    from workflows.catalogue import catalogue
    named = (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="start.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="start.json" />'
        '<spiffworkflow:property name="starterRoles" value="store_manager, cs_agent" />')
    closed = Engine(clock=clock, catalogue=catalogue())
    open_engine = Engine(clock=clock)
    assert closed.may_start(session, people["cs_li"], "lanes_gateway") is False
    assert open_engine.may_start(session, people["director"], "lanes_gateway") is True
    model_admin.deploy_uploads(session, root, [upload("lanes_gateway.bpmn", named)], clock(),
                               roles={"store_manager", "ops_director", "cs_agent"})
    for engine in (closed, open_engine):
        assert engine.may_start(session, people["cs_li"], "lanes_gateway") is True
        assert engine.may_start(session, people["manager_sh001"], "lanes_gateway") is True
        assert engine.may_start(session, people["director"], "lanes_gateway") is False
    with pytest.raises(DeployError, match="element start: starterRoles names wizard, not a role"):
        wizard = named.replace("cs_agent", "wizard")
        model_admin.deploy_uploads(session, root, [upload("lanes_gateway.bpmn", wizard)], clock(),
                                   roles={"store_manager", "ops_director", "cs_agent"})


def test_a_save_on_top_of_the_version_it_opened_is_deployed(session, deployed, root, clock):
    form = json.loads((MODELS / "report.json").read_text("utf-8"))
    form["properties"]["summary"]["maxLength"] = 80
    [result] = model_admin.deploy_uploads(session, root, [upload("report.json", json.dumps(form))], clock(),
                                          key="lanes_gateway", expected_version=1)
    assert (result.version, result.created) == (2, True)


def test_a_save_on_top_of_a_stale_version_is_a_conflict_and_stores_nothing(session, deployed, root, clock,
                                                                          dump):
    """Two editors open version 1; the first saves version 2; the second's save must not overwrite it."""
    form = json.loads((MODELS / "report.json").read_text("utf-8"))
    form["properties"]["summary"]["maxLength"] = 80
    model_admin.deploy_uploads(session, root, [upload("report.json", json.dumps(form))], clock(),
                               key="lanes_gateway", expected_version=1)
    session.commit()
    before = dump(session)
    form["properties"]["summary"]["maxLength"] = 90
    with pytest.raises(Conflict) as refused:
        model_admin.deploy_uploads(session, root, [upload("report.json", json.dumps(form))], clock(),
                                   key="lanes_gateway", expected_version=1)
    assert refused.value.message.startswith(
        "lanes_gateway: version 2 was deployed after version 1 was opened")
    session.rollback()
    assert dump(session) == before
    assert versions(session, "lanes_gateway") == 2
    with pytest.raises(NotFound):
        model_admin.deploy_uploads(session, root, [upload("report.json")], clock(), key="nope",
                                   expected_version=1)


def test_two_editors_saving_one_version_at_once_make_one_new_version(sessions, db_url, deployed, root, clock):
    """The second save waits for the first (the process row is locked) and is then a Conflict."""
    import threading
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: the second save waits on the file lock instead")
    form = json.loads((MODELS / "report.json").read_text("utf-8"))
    outcome: list[str] = []
    with sessions() as first, sessions() as second:
        admin_1, admin_2 = first.merge(root), second.merge(root)
        form["properties"]["summary"]["maxLength"] = 81
        model_admin.deploy_uploads(first, admin_1, [upload("report.json", json.dumps(form))], clock(),
                                   key="lanes_gateway", expected_version=1)

        def save_second() -> None:
            form["properties"]["summary"]["maxLength"] = 82
            try:
                model_admin.deploy_uploads(second, admin_2, [upload("report.json", json.dumps(form))],
                                           clock(), key="lanes_gateway", expected_version=1)
                outcome.append("saved")
            except Conflict as refused:
                outcome.append(refused.message)
            second.rollback()

        thread = threading.Thread(target=save_second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive() and not outcome  # waiting on the first save's lock
        first.commit()
        thread.join(timeout=30)
    assert outcome == ["lanes_gateway: version 2 was deployed after version 1 was opened; open version 2 "
                       "and make the change again"]
    with sessions() as check:
        assert versions(check, "lanes_gateway") == 2
