"""Approval steps with several approvers (fixture models `sign_all`, `sign_any`, `sign_sequence`):
会签, 或签 and 依次, each instance a task row given to its approver."""
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, DeployError, PermissionDenied, ProcessError, queries
from engine.bpmn import versions
from engine.bpmn.deploy import deploy_directory
from engine.bpmn.versions import Upload
from engine.models import AuditEvent, HumanTask, ProcessInstance, User

MODELS = Path(__file__).parents[1] / "fixture_models"


def start(engine, session, people, mode, **data):
    case = engine.start(session, f"sign_{mode}", people["manager_sh001"],
                        {"store_code": "SH001", "summary": "冬季陈列调整", **data})
    session.commit()
    return case


def rows(session, case_id, state=None):
    query = select(HumanTask).where(HumanTask.instance_id == case_id).order_by(HumanTask.id)
    if state:
        query = query.where(HumanTask.state == state)
    return session.scalars(query).all()


def holders(session, case_id, state="open"):
    return [(r.assignee.username if r.assignee else None, r.lane_role) for r in rows(session, case_id, state)]


def data_of(engine, session, case_id):
    return queries.case_data(engine, session, session.get(ProcessInstance, case_id))


def visible(session, user, clock):
    return [t.id for t in queries.list_tasks(session, user, queries.TaskFilter(), clock()).items]


def test_all_of_gives_every_holder_in_scope_their_own_task(engine, session, people, deployed, clock):
    case = start(engine, session, people, "all")
    # store_supervisor before ops_director, as approverRole names them; supervisor_north's region is not
    # the case's, so she is not asked
    assert holders(session, case.id) == [("supervisor_east", "store_supervisor"),
                                         ("director", "ops_director")]
    assert data_of(engine, session, case.id)["approvers"] == ["supervisor_east", "director"]
    east_row, director_row = rows(session, case.id)
    assert {r.element_id for r in (east_row, director_row)} == {"sign"}
    assert east_row.form_file == "approve.json"

    # each instance of the multi-instance task is one row, by its SpiffWorkflow id
    _, workflow = engine.load(session, session.get(ProcessInstance, case.id))
    children = {str(t.id): t.data["approver"] for t in workflow.get_tasks(spec_name="sign [child]")}
    assert children == {east_row.spiff_task_id: "supervisor_east", director_row.spiff_task_id: "director"}
    assert workflow.get_task_from_id(UUID(east_row.spiff_task_id)).parent.task_spec.bpmn_id == "sign"

    assert visible(session, people["supervisor_east"], clock) == [east_row.id]
    assert visible(session, people["director"], clock) == [director_row.id]
    assert visible(session, people["supervisor_north"], clock) == []
    with pytest.raises(PermissionDenied):  # nobody decides for another approver
        engine.complete(session, east_row.id, people["director"], {"approved": True})
    session.rollback()

    after = engine.complete(session, director_row.id, people["director"],
                            {"approved": True, "comment": "可以"})
    session.commit()
    assert [t.id for t in after.open_tasks] == [east_row.id]
    after = engine.complete(session, east_row.id, people["supervisor_east"], {"approved": True})
    session.commit()
    assert (after.status, after.outcome) == ("completed", "approved")
    data = data_of(engine, session, case.id)
    assert (data["decisions"], data["signed_off"]) == ([True, True], True)
    assert "approver" not in data and "approved" not in data


def test_one_reject_in_all_of_rejects_and_closes_the_others(engine, session, people, deployed):
    case = start(engine, session, people, "all")
    east_row, director_row = rows(session, case.id)
    after = engine.complete(session, east_row.id, people["supervisor_east"],
                            {"approved": False, "comment": "预算不足"})
    session.commit()
    assert (after.status, after.outcome, after.open_tasks) == ("completed", "rejected", [])
    session.expire_all()
    assert [(r.id, r.state) for r in rows(session, case.id)] == [(east_row.id, "completed"),
                                                                  (director_row.id, "cancelled")]
    data = data_of(engine, session, case.id)
    assert (data["decisions"], data["signed_off"]) == ([False], False)
    cancelled = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_cancelled")).all()
    assert [e.task_id for e in cancelled] == [director_row.id]


def test_any_of_the_first_decision_wins(engine, session, people, deployed, clock):
    case = start(engine, session, people, "any")
    assert holders(session, case.id) == [("deputy_sh001", "store_manager"),
                                         ("manager_sh001", "store_manager")]
    deputy_row, manager_row = rows(session, case.id)
    assert visible(session, people["manager_sh002"], clock) == []  # another store's manager
    assert visible(session, people["deputy_sh001"], clock) == [deputy_row.id]
    after = engine.complete(session, manager_row.id, people["manager_sh001"], {"approved": True})
    session.commit()
    assert (after.status, after.outcome) == ("completed", "approved")
    session.expire_all()
    assert [r.state for r in rows(session, case.id)] == ["cancelled", "completed"]
    assert data_of(engine, session, case.id)["decisions"] == [True]
    with pytest.raises(Conflict):
        engine.complete(session, deputy_row.id, people["deputy_sh001"], {"approved": False})


def test_sequence_asks_one_after_another_from_a_list_in_the_case_data(engine, session, people, deployed):
    case = start(engine, session, people, "sequence", signers=["deputy_sh001", "manager_sh001"])
    assert holders(session, case.id) == [("deputy_sh001", "store_manager")]
    [first] = rows(session, case.id)
    after = engine.complete(session, first.id, people["deputy_sh001"], {"approved": True})
    session.commit()
    assert holders(session, case.id) == [("manager_sh001", "store_manager")]
    [second] = after.open_tasks
    after = engine.complete(session, second.id, people["manager_sh001"], {"approved": True})
    session.commit()
    assert (after.status, after.outcome) == ("completed", "approved")
    assert data_of(engine, session, case.id)["decisions"] == [True, True]


def test_a_reject_in_sequence_stops_the_line(engine, session, people, deployed):
    case = start(engine, session, people, "sequence", signers=["deputy_sh001", "manager_sh001"])
    [first] = rows(session, case.id)
    after = engine.complete(session, first.id, people["deputy_sh001"], {"approved": False, "comment": "不行"})
    session.commit()
    assert (after.status, after.outcome) == ("completed", "rejected")
    assert [r.assignee.username for r in rows(session, case.id)] == ["deputy_sh001"]  # nobody else asked


def test_a_listed_approver_must_hold_the_lane_role_in_scope(engine, session, people, deployed):
    with pytest.raises(ProcessError) as refused:  # manager_sh002 manages another store
        start(engine, session, people, "sequence", signers=["deputy_sh001", "manager_sh002"])
    assert "manager_sh002" in str(refused.value) and "依次审批" in str(refused.value)
    session.rollback()
    with pytest.raises(ProcessError) as refused:
        start(engine, session, people, "sequence", signers=[])
    assert "signers" in str(refused.value)


def test_a_step_nobody_may_approve_stops_instead_of_passing(engine, session, people, deployed):
    with pytest.raises(ProcessError) as refused:  # no store manager for BJ001
        engine.start(session, "sign_any", people["supervisor_north"], {"store_code": "BJ001", "summary": "x"})
    assert "nobody holds store_manager" in str(refused.value)


def test_a_deactivated_holder_is_not_asked(engine, session, people, deployed):
    session.get(User, people["deputy_sh001"].id).active = False
    session.commit()
    case = start(engine, session, people, "any")
    assert holders(session, case.id) == [("manager_sh001", "store_manager")]


def test_two_approvers_deciding_at_once_lose_nothing(engine, session, people, deployed, race):
    """The second to write is told to retry if it read the case before the first committed; either
    way both decisions count."""
    case = start(engine, session, people, "all")
    east_row, director_row = rows(session, case.id)
    east, director = people["supervisor_east"].id, people["director"].id
    error = race(lambda s: engine.complete(s, east_row.id, s.get(User, east), {"approved": True}),
                 lambda s: engine.complete(s, director_row.id, s.get(User, director), {"approved": True}),
                 both=lambda s: s.get(HumanTask, east_row.id).instance.state)
    assert error is None or isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    session.expire_all()
    if error is not None:
        assert [r.state for r in rows(session, case.id)] == ["completed", "open"]
        engine.complete(session, director_row.id, people["director"], {"approved": True})
        session.commit()
    instance = session.get(ProcessInstance, case.id)
    assert (instance.status, instance.outcome) == ("completed", "approved")
    assert data_of(engine, session, case.id)["decisions"] == [True, True]


@pytest.mark.parametrize("key, old, new, problem", [
    ("sign_any", "<bpmn:completionCondition>True</bpmn:completionCondition>", "",
     "needs a completionCondition"),
    ("sign_sequence", 'isSequential="true"', 'isSequential="false"', 'needs isSequential="true"'),
    ("sign_all", 'isSequential="false"', 'isSequential="true"', 'needs isSequential="false"'),
    ("sign_all", 'value="all"', 'value="majority"', "must be one of all, any, sequence"),
    ("sign_all", '<bpmn:outputDataItem id="approved" name="approved" />', "", "collects its decisions"),
    ("sign_all", "<bpmn:multiInstanceLoopCharacteristics", "", "needs multi-instance loop characteristics"),
])
def test_deploy_refuses_a_mode_the_bpmn_does_not_carry_out(session, model_dir, clock, key, old, new, problem):
    folder = model_dir(key)
    path = folder / f"{key}.bpmn"
    text = path.read_text("utf-8")
    assert old in text
    if old.startswith("<bpmn:multi"):  # a plain user task
        old = text[text.index(old):text.index("</bpmn:multiInstanceLoopCharacteristics>") + 40]
    text = text.replace(old, new)
    path.write_text(text, "utf-8")
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, folder, now=clock())
    assert problem in str(refused.value) and "element sign" in str(refused.value)


def test_an_uploaded_model_may_name_only_known_roles_as_approvers(session, root, clock):
    text = (MODELS / "sign_all.bpmn").read_text("utf-8").replace("store_supervisor, ops_director",
                                                                "ops_director, wizard")
    files = [Upload("sign_all.bpmn", text.encode("utf-8")),
             *(Upload(f, (MODELS / f).read_bytes()) for f in ("approve.json", "start_sign_off.json"))]
    with pytest.raises(DeployError, match="element sign: approverRole names wizard, not a role"):
        versions.deploy_uploads(session, root, files, clock(),
                                roles={"store_manager", "ops_director", "store_supervisor"})
