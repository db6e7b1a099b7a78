"""The forms: valid JSON Schema in one convention, field errors for bad data in every field, and
every read-only context field present in the real case data of the step that shows it."""
from datetime import datetime, timezone

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from engine.errors import InvalidData
from engine.forms import validation as forms
from engine.models import ProcessInstance
from engine.runtime import run_schedules
from tests.workflows.invalid_values import invalid_value
from tests.workflows.model_case import ModelCase
from workflows.form_schemas import FORMS_DIR, choice_labels, load_form, readonly_fields, writable_fields
from workflows.model_lint import shipped_user_tasks

FORMS = sorted((p.parent.name, p.name) for p in FORMS_DIR.glob("*/*.json"))
FIELDS = [(key, name, field) for key, name in FORMS for field in writable_fields(load_form(key, name))]


def walk_properties(schema, path="$"):
    for name, prop in schema.get("properties", {}).items():
        yield f"{path}.{name}", prop
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "object":
            yield from walk_properties(prop["items"], f"{path}.{name}[]")


@pytest.mark.parametrize("key, name", FORMS)
def test_every_form_is_draft_2020_12_with_chinese_titles_and_one_choice_convention(key, name):
    schema = load_form(key, name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["title"] and schema["required"]
    assert set(schema["required"]) <= set(writable_fields(schema)), "only written fields can be required"
    assert "enum" not in str(schema) and "x-enumNames" not in str(schema)
    for path, prop in walk_properties(schema):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in prop.get("title", "")), f"{path} has no Chinese title"
        if "oneOf" in prop or "oneOf" in prop.get("items", {}):
            assert all(label for label in choice_labels(prop).values())
        if prop.get("type") in ("number", "integer"):
            assert prop.get("minimum", prop.get("exclusiveMinimum", -1)) >= 0, f"{path} may be negative"
        if prop.get("type") == "string" and not prop.get("readOnly"):
            assert {"maxLength", "format", "oneOf", "const"} & set(prop), f"{path} has no limit"
        if prop.get("type") == "array" and not prop.get("readOnly"):
            assert "maxItems" in prop, f"{path} has no limit"


@pytest.mark.parametrize("key, name", FORMS)
def test_an_empty_submission_names_every_required_field(key, name):
    schema = load_form(key, name)
    with pytest.raises(InvalidData) as refused:
        forms.clean(schema, {})
    assert set(refused.value.fields) == set(schema["required"])


@pytest.mark.parametrize("key, name, field", FIELDS)
def test_each_field_rejects_a_clearly_invalid_value(key, name, field):
    schema = load_form(key, name)
    with pytest.raises(InvalidData) as refused:
        forms.clean(schema, {field: invalid_value(schema["properties"][field])})
    assert any(f == field or f.startswith(field + ".") for f in refused.value.fields), refused.value.fields


def test_read_only_fields_are_dropped_from_submissions():
    schema = load_form("complaint_handling", "compensation_approval.json")
    assert forms.clean(schema, {"approved": True, "compensation_amount": 1}) == {"approved": True}


# -- rendering each form against real case data ---------------------------------------------------


def walk_complaints(start_case):
    cases = []
    case = start_case("complaint_handling", category="product_quality", amount_claimed=800)
    case.advance(hours=49)
    case.complete("sla_escalation", role="cs_manager")
    case.complete("quality_registration", role="merchandiser")
    costly = case.sample("investigate_merch", compensation_amount=800)
    case.complete("investigate_merch", costly, role="merchandiser")
    rejected = {"approved": False, "approval_comment": "金额过高"}
    case.complete("compensation_approval", rejected, role="cs_manager")
    for _ in range(3):
        case.complete("investigate_merch", role="merchandiser")
        unhappy = {"customer_satisfied": False, "feedback": "不满意"}
        case.complete("customer_follow_up", unhappy, role="cs_agent")
    case.complete("final_decision", role="cs_manager")
    cases.append(case)
    for overrides, element, role in (
            ({}, "investigate_store", "store_manager"),
            ({"category": "logistics"}, "investigate_warehouse", "warehouse_keeper"),
            ({"amount_claimed": 20000}, "investigate_supervisor", "store_supervisor")):
        case = start_case("complaint_handling", **overrides)
        case.complete(element, role=role, store_code="SH001" if role != "warehouse_keeper" else None)
        case.complete("customer_follow_up", role="cs_agent")
        cases.append(case)
    return cases


def walk_return(start_case):
    coats = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "quantity": 20, "unit_price": 1599.0}]
    case = start_case("product_return", return_type="quality", items=coats)
    case.complete("cs_review", role="cs_agent")
    case.complete("merchandiser_approval", role="merchandiser")
    case.complete("director_approval", role="ops_director")
    case.complete("receive_inspect", lambda d: case.sample("receive_inspect", defect_confirmed=True),
                  role="warehouse_keeper")
    case.complete("quality_registration", role="merchandiser")
    case.complete("credit_note", role="finance")
    return [case]


def walk_opening(start_case):
    case = start_case("store_opening")
    case.advance(hours=49)
    case.complete("approval_reminder", role="ops_director")
    case.complete("plan_approval", {"approved": False, "director_comment": "预算偏高"}, role="ops_director")
    # the revised budget is above 1,000,000: the director and finance countersign
    case.complete("revise_plan", lambda d: case.sample("revise_plan", budget=1_200_000),
                  role="store_supervisor", store_code="SH003")
    case.complete("plan_countersign", role="finance")
    case.complete("plan_countersign", role="ops_director")
    for element, role in (("first_batch_allocation", "merchandiser"),
                          ("first_batch_shipping", "warehouse_keeper"), ("staff_training", "trainer"),
                          ("display_setup", "trainer"), ("opening_promotion", "marketing")):
        case.complete(element, role=role)
    case.complete("opening_preparation", role="store_manager", store_code="SH003")
    failed = {"inspection_date": "2026-12-16", "all_passed": False, "inspection_issues": "灯箱破损"}
    case.complete("pre_opening_inspection", failed, role="store_supervisor", store_code="SH003")
    case.complete("remediation", role="store_manager", store_code="SH003")
    case.complete("pre_opening_inspection", role="store_supervisor", store_code="SH003")
    case.advance(days=70)
    case.complete("first_week_report", role="store_manager", store_code="SH003")
    case.complete("opening_review", role="store_supervisor", store_code="SH003")
    return [case]


def walk_launch(start_case):
    case = start_case("new_product_launch", target_stores=["SH001", "NJ01"])
    case.complete("launch_plan_approval", role="ops_director")
    for element, role in (("order_and_purchase", "merchandiser"), ("goods_receipt", "warehouse_keeper"),
                          ("display_guideline", "trainer"), ("launch_promotion", "marketing")):
        case.complete(element, role=role)
    for store in ("SH001", "NJ01"):
        case.complete("store_shelving", case.sample("store_shelving", store), role="store_manager",
                      store_code=store)
    case.advance(days=150)
    case.complete("sell_through_analysis", role="analyst")
    case.complete("reorder", role="merchandiser")
    return [case]


def walk_expense(start_case):
    small, large = start_case("expense_claim"), start_case("expense_claim", claim_lines=[
        {"category": "display", "expense_date": "2026-10-20", "amount": 12800}])
    for case in (small, large):
        case.complete("supervisor_approval", role="store_supervisor", store_code="SH001")
    large.complete("claim_countersign", role="ops_director")
    large.complete("claim_countersign", role="finance")
    for case in (small, large):
        case.complete("payment", role="finance")
    return [small, large]


def walk_inspection(start_case):
    case = start_case("store_inspection")
    while not case.completed:
        for task in case.ready("rectify"):
            case.seen.setdefault("rectify", []).append(task.data)
            case.world.attempt("manager_sh001", task.row.id,
                               {"rectification_note": "已整改", "rectified_date": "2026-11-06"})
        if case.ready_ids() == ["recheck"]:
            case.complete("recheck", role="store_supervisor", store_code="SH001")
    world = case.world  # the season start's case for SH001: the trainer inspects it, and re-checks it
    world.clock.set(datetime(2026, 12, 1, 1, tzinfo=timezone.utc))
    run_schedules(world.engine, world.sessions)
    with world.sessions() as s:
        found = s.scalars(select(ProcessInstance.id).where(ProcessInstance.process_key == "store_inspection",
                                                           ProcessInstance.store_code == "SH001",
                                                           ProcessInstance.started_by_id.is_(None))).one()
    season = ModelCase(world, "store_inspection", case_id=found)
    season.complete("inspect", role="trainer")
    for task in season.ready("rectify"):
        world.attempt("manager_sh001", task.row.id,
                      {"rectification_note": "已整改", "rectified_date": "2026-12-02"})
    task = season.ready_task("recheck")
    world.attempt("trainer_sun", task.row.id, {"recheck_items": task.data["recheck_items"],
                                               "recheck_date": "2026-12-03"})
    return [case, season]


WALKS = {"complaint_handling": walk_complaints, "product_return": walk_return, "store_opening": walk_opening,
         "new_product_launch": walk_launch, "expense_claim": walk_expense,
         "store_inspection": walk_inspection}


@pytest.mark.parametrize("key", sorted(WALKS))
def test_each_form_renders_against_the_case_data_of_its_step(key, start_case):
    cases = WALKS[key](start_case)
    assert all(c.completed for c in cases)
    seen = {}
    for case in cases:
        for element, snapshots in case.seen.items():
            seen.setdefault(element, []).extend(snapshots)
    user_tasks = shipped_user_tasks(key)
    assert set(seen) == set(user_tasks), "the walk must reach every user task"
    for element, snapshots in seen.items():
        schema = load_form(key, user_tasks[element])
        shown = {k: schema["properties"][k] for k in readonly_fields(schema)}
        context = {"type": "object", "properties": shown}
        validator = Draft202012Validator(context, format_checker=FormatChecker())
        for data in snapshots:
            missing = [k for k in readonly_fields(schema) if k not in data]
            assert missing == [], f"{element}: the form shows {missing}, which the case does not have"
            errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(data)]
            assert errors == [], f"{element}: case data does not fit its form: {errors}"


@pytest.mark.parametrize("key", sorted(WALKS))
def test_the_start_data_fits_the_start_form(key, start_data):
    assert forms.clean(load_form(key, "start.json"), start_data[key]) == start_data[key]
