"""The catalogue agrees with the models: lanes are roles, every step has a form, a due time and an
English name, every case-ending end event says how the case ended, and the demo cast can do every
task of every store."""
import string
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from engine.bpmn.deploy import collect_directory
from engine.bpmn.specs import parse_process
from engine.policy import ProcessPolicy
from workflows import BPMN_DIR
from workflows.demo import DEMO_USERS
from workflows.form_schemas import FORMS_DIR, form_files, load_form
from workflows.registry import CATALOGUE, OUTCOMES, PROCESSES, SHARED_SUBPROCESSES
from workflows.roles import REGION, ROLES, ROLES_BY_KEY, STORE, TASK_ROLE_KEYS
from workflows.stores import FENG, REGIONS_BY_CODE, STORES, STORES_BY_CODE

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
KEYS = sorted(PROCESSES)


def model(key):
    root = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot()
    return root.find(f"{BPMN}process")


def props(element):
    return {p.get("name"): p.get("value") for p in element.iter(f"{SPIFF}property")}


def lanes_of(process):
    return {ref.text: lane.get("name") for lane in process.iter(f"{BPMN}lane")
            for ref in lane.iter(f"{BPMN}flowNodeRef")}


def test_the_thirteen_roles_of_the_design_and_the_integration_client():
    assert [r.key for r in ROLES] == [
        "ops_director", "store_supervisor", "store_manager", "franchisee", "cs_agent", "cs_manager",
        "merchandiser", "warehouse_keeper", "trainer", "marketing", "finance", "analyst", "admin",
        "integration"]
    assert {r.key: r.scope for r in ROLES if r.scope != "company"} == {
        "store_supervisor": REGION, "store_manager": STORE, "franchisee": STORE}
    assert ROLES_BY_KEY["cs_manager"].name_zh == "客户服务经理" and "admin" not in TASK_ROLE_KEYS
    assert "integration" not in TASK_ROLE_KEYS


def test_stores_and_regions():
    assert [(s.code, s.name_zh, s.kind, s.status) for s in STORES] == [
        ("SH001", "上海南京路店", "direct", "open"), ("SH002", "上海徐家汇店", "direct", "open"),
        ("HZ001", "杭州湖滨店", "direct", "open"), ("NJ01", "南京新街口加盟店", "franchise", "open"),
        ("NJ02", "南京河西加盟店", "franchise", "open"), ("SH003", "上海静安寺店", "direct", "planned")]
    assert {s.code: s.owner for s in STORES if s.owner} == {"NJ01": FENG, "NJ02": FENG}
    assert all(s.region in REGIONS_BY_CODE for s in STORES)


@pytest.mark.parametrize("key", KEYS)
def test_every_user_task_is_in_a_role_lane_and_names_an_existing_valid_form(key):
    process = model(key)
    lanes = lanes_of(process)
    assert set(lanes.values()) <= TASK_ROLE_KEYS
    steps = [process.find(f"{BPMN}startEvent")] + list(process.iter(f"{BPMN}userTask")) + [
        event for event in process.iter(f"{BPMN}boundaryEvent")
        if event.find(f"{BPMN}messageEventDefinition") is not None]  # a message's payload form
    assert steps[0].get("id") == "start"
    used = set()
    for step in steps:
        filename = props(step).get("formJsonSchemaFilename")
        assert filename, f"{step.get('id')} names no form"
        assert filename == f"{step.get('id')}.json" or filename == "investigate.json"
        Draft202012Validator.check_schema(load_form(key, filename))
        used.add(filename)
    assert used == set(form_files(key)), "a form file that no step uses"


def declared(key):
    """The process's policy as its model declares it, read the way the engine reads a deployed version."""
    return parse_process(key, collect_directory(BPMN_DIR, FORMS_DIR)[key])


@pytest.mark.parametrize("key", KEYS)
def test_the_model_times_and_names_every_step(key):
    process = model(key)
    parsed = declared(key)
    assert process.get("id") == key and process.get("name") and props(process)["nameEn"]
    user_tasks = {t.get("id"): props(t) for t in process.iter(f"{BPMN}userTask")}
    assert all(4 <= float(p["dueInHours"]) <= 14 * 24 for p in user_tasks.values())
    assert set(user_tasks) <= set(parsed.english_names())
    assert all(p.get("priority", "3") in "12345" for p in user_tasks.values())
    assert parsed.starter_roles() and parsed.starter_roles() <= TASK_ROLE_KEYS


def test_realistic_due_times():
    def due(key, element):
        return float(props(model(key).find(f"*[@id='{element}']"))["dueInHours"])
    assert due("product_return", "receive_inspect") == 14 * 24
    assert due("store_opening", "plan_approval") == 48
    assert due("complaint_handling", "compensation_approval") == 24


def _main_path(process):
    """Nodes a case passes on its way to an outcome: interrupting boundary events (they replace
    their task) but not non-interrupting ones, and from an inclusive gateway only the flow that is
    always taken (condition `True`)."""
    flows = list(process.iter(f"{BPMN}sequenceFlow"))
    seen, todo = set(), ["start"]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        element = process.find(f"*[@id='{node}']")
        todo.extend(b.get("id") for b in process.iter(f"{BPMN}boundaryEvent")
                    if b.get("attachedToRef") == node and b.get("cancelActivity") != "false")
        for flow in (f for f in flows if f.get("sourceRef") == node):
            condition = flow.find(f"{BPMN}conditionExpression")
            if element.tag == f"{BPMN}inclusiveGateway" and (condition is None or condition.text != "True"):
                continue
            todo.append(flow.get("targetRef"))
    return seen


@pytest.mark.parametrize("key", KEYS)
def test_end_events_that_end_a_case_say_how_and_side_branches_do_not(key):
    process = model(key)
    main = _main_path(process)
    for end in process.iter(f"{BPMN}endEvent"):
        outcome = props(end).get("outcome")
        if end.get("id") in main:
            assert outcome in OUTCOMES, f"{end.get('id')} ends the case without an outcome"
        else:
            assert outcome is None, f"{end.get('id')} ends a side branch, not the case"
    assert any(props(end).get("outcome") for end in process.iter(f"{BPMN}endEvent"))


def test_store_opening_needs_a_planned_store_and_opens_it():
    assert declared("store_opening").declared_policy().start_store_status == "planned"
    assert STORES_BY_CODE["SH003"].status == "planned"
    process = model("store_opening")
    assert props(process.find(f"{BPMN}endEvent[@id='end_opened']"))["outcome"] == "opened"
    script = process.find(f"{BPMN}scriptTask[@id='mark_store_open']").findtext(f"{BPMN}script")
    assert 'store_status = "open"' in script


#: What a scheduled start gives a case beside its store (docs/modelling.md, scheduled starts)
SCHEDULED_START_FIELDS = {"scheduled_period", "scheduled_by"}


@pytest.mark.parametrize("key", KEYS)
def test_case_titles_come_from_start_form_fields(key, start_data):
    policy = declared(key).declared_policy()
    fields = {name for _, name, _, _ in string.Formatter().parse(policy.title_template) if name}
    scheduled = model(key).find(f"{BPMN}startEvent/{BPMN}timerEventDefinition") is not None
    given = set(load_form(key, "start.json")["properties"]) | (SCHEDULED_START_FIELDS if scheduled else set())
    assert fields <= given
    assert isinstance(policy, ProcessPolicy)
    title = policy.title(start_data[key], "?")
    shown = [f for f in fields if f in start_data[key]]
    assert "{" not in title and all(str(start_data[key][f])[:5] in title for f in shown)
    prefix = props(model(key))["businessKeyPrefix"]
    assert policy.business_key(7, datetime(2026, 11, 2)) == f"{prefix}-20261102-00007"
    assert CATALOGUE.policy("no_such_process") is None


def test_supervision_names_known_roles_and_processes():
    rules = CATALOGUE.supervision
    named = rules.all_cases | set(rules.processes) | rules.regional
    assert named <= set(ROLES_BY_KEY) and all(ROLES_BY_KEY[r].scope == REGION for r in rules.regional)
    assert all(keys and keys <= set(PROCESSES) for keys in rules.processes.values())


def test_demo_users_hold_known_roles_with_the_right_scope():
    assert len({u.username for u in DEMO_USERS}) == len(DEMO_USERS) == 17
    for user in DEMO_USERS:
        for grant in user.grants:
            scope = ROLES_BY_KEY[grant.role].scope
            assert (grant.store_code is not None) == (scope == STORE), (user.username, grant)
            assert (grant.region is not None) == (scope == REGION), (user.username, grant)
            assert grant.store_code is None or grant.store_code in STORES_BY_CODE
            assert grant.region is None or grant.region in REGIONS_BY_CODE


def test_the_demo_cast_can_do_every_task_for_every_store():
    grants = [g for u in DEMO_USERS for g in u.grants]
    company = {g.role for g in grants if not g.store_code and not g.region}
    lanes = set().union(*(set(lanes_of(model(k)).values()) for k in KEYS))
    for role in lanes:
        scope = ROLES_BY_KEY[role].scope
        for store in STORES:
            if scope == STORE and role == "store_manager":
                assert any(g.role == role and g.store_code == store.code for g in grants), (role, store.code)
            elif scope == REGION:
                assert any(g.role == role and g.region == store.region for g in grants), (role, store.code)
            elif scope == "company":
                assert role in company


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.dmn")), ids=lambda p: p.stem)
def test_decision_tables_read_top_down_and_end_in_a_catch_all(path):
    root = etree.parse(str(path)).getroot()
    [decision] = root.iter(f"{DMN}decision")
    assert decision.get("id") == path.stem
    table = decision.find(f"{DMN}decisionTable")
    assert table.get("hitPolicy") == "FIRST"
    for column in (*table.iter(f"{DMN}input"), *table.iter(f"{DMN}output")):
        assert column.get("label")
    rules = list(table.iter(f"{DMN}rule"))
    assert all(r.findtext(f"{DMN}description") for r in rules)
    assert [e.findtext(f"{DMN}text") for e in rules[-1].iter(f"{DMN}inputEntry")] == ["-"] * len(
        list(table.iter(f"{DMN}input")))


def test_the_forms_folder_holds_only_registered_processes():
    assert sorted(p.name for p in FORMS_DIR.iterdir() if p.is_dir()) == sorted([*KEYS, *SHARED_SUBPROCESSES])
