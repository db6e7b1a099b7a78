"""The form is the write contract: what a step may change at every depth, the business rules declared
beside its fields, and numbers that are numbers (engine/forms/: validation, writes, rules)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidData
from engine.forms import validation as forms
from engine.forms.writes import rows_fixed

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)  # 09:00 on 2 November in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")

LINES = {
    "type": "object",
    "properties": {
        "note": {"type": "string", "maxLength": 50},
        "lines": {"type": "array", "maxItems": 10, "items": {
            "type": "object", "required": ["sku", "price", "got"],
            "properties": {"sku": {"type": "string", "readOnly": True},
                           "price": {"type": "number", "readOnly": True},
                           "ordered": {"type": "integer", "readOnly": True},
                           "got": {"type": "integer", "minimum": 0},
                           "ok": {"type": "integer", "minimum": 0}}}},
        "box": {"type": "object", "properties": {"seal": {"type": "string", "readOnly": True},
                                                 "weight": {"type": "number", "minimum": 0}}},
        "extras": {"type": "array", "maxItems": 5, "items": {
            "type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}}},
    },
    "x-rules": [
        {"field": "lines.*.got", "at_most": "ordered"},
        {"field": "lines.*.ok", "at_most": "got"},
        {"field": "box.weight", "at_most": "sum_of(lines, \"got\") * 2", "when": "note != \"heavy\""},
    ],
}
CASE = {"note": "", "box": {"seal": "S-1", "weight": 1},
        "lines": [{"sku": "A-1", "price": 199, "ordered": 10, "got": 10, "ok": 10},
                  {"sku": "B-2", "price": 99.5, "ordered": 2, "got": 2, "ok": 2}]}


def lines(*changes):
    rows = [dict(row) for row in CASE["lines"]]
    for row, change in zip(rows, changes):
        row.update(change)
    return rows


def clean(data, current=CASE, schema=LINES):
    return forms.clean(schema, data, current, now=NOW)


def refused(data, current=CASE, schema=LINES):
    with pytest.raises(InvalidData) as refusal:
        clean(data, current, schema)
    return refusal.value.fields


# -- the write contract at every depth ---------------------------------------------------------

def test_read_only_cells_inside_rows_keep_the_case_values():
    forged = lines({"sku": "FORGED", "price": 100000, "got": 9, "ok": 9}, {"price": 0.01})
    written = clean({"lines": forged})
    assert written["lines"] == lines({"got": 9, "ok": 9}, {})
    assert written["lines"][0]["price"] == 199 and written["lines"][1]["sku"] == "B-2"


def test_read_only_cells_are_not_validated_against_what_was_sent():
    written = clean({"lines": lines({"price": "not a number", "sku": None}, {})})
    assert written["lines"] == CASE["lines"]


@pytest.mark.parametrize("rows", [
    lines({}, {}) + [{"sku": "NEW", "price": 1, "ordered": 100000, "got": 5}],  # a line never approved
    lines({})[:1],  # a line dropped
    [],
])
def test_fixed_rows_can_be_neither_added_nor_removed(rows):
    assert refused({"lines": rows}) == {"lines": "rows cannot be added or removed (keep the 2 rows)"}


def test_rows_are_fixed_by_read_only_cells_or_by_the_form():
    assert rows_fixed(LINES["properties"]["lines"])
    assert not rows_fixed(LINES["properties"]["extras"])
    fixed = {**LINES, "properties": {**LINES["properties"], "extras": {**LINES["properties"]["extras"],
                                                                       "x-rows": "fixed"}}}
    current = {**CASE, "extras": [{"sku": "X", "qty": 1}]}
    assert refused({"extras": [{"sku": "X", "qty": 1}, {"sku": "Y", "qty": 1}]}, current, fixed) == {
        "extras": "rows cannot be added or removed (keep the 1 rows)"}
    assert clean({"extras": [{"sku": "Z", "qty": 3}]}, current, fixed) == {"extras": [{"sku": "Z", "qty": 3}]}
    assert clean({"extras": [{"sku": "X", "qty": 1}, {"sku": "Y", "qty": 2}]}, current)["extras"][1] == {
        "sku": "Y", "qty": 2}  # free rows: added at will


def test_unknown_keys_are_dropped_at_every_depth_and_nested_read_only_kept():
    written = clean({"box": {"seal": "FORGED", "weight": 3, "hidden": 1},
                     "extras": [{"sku": "X", "qty": 1, "price": 5}],
                     "lines": [dict(row, line_credit=10 ** 9) for row in CASE["lines"]], "injected": True})
    assert written == {"box": {"seal": "S-1", "weight": 3}, "extras": [{"sku": "X", "qty": 1}],
                       "lines": CASE["lines"]}


def test_the_case_values_are_copied_not_shared():
    current = {**CASE, "lines": lines({}, {})}
    written = clean({"lines": lines({}, {})}, current)
    written["lines"][0]["sku"] = "CHANGED LATER"
    assert current["lines"][0]["sku"] == "A-1"


# -- NaN and Infinity ----------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"note": "x", "box": {"weight": float("nan")}}, "box.weight"),
    ({"lines": lines({"got": float("inf")}, {})}, "lines.0.got"),
    ({"lines": lines({}, {"price": float("-inf")})}, "lines.1.price"),  # read-only, dropped anyway: refused
    ({"unknown": [1, {"deep": float("nan")}]}, "unknown.1.deep"),  # not even where it would be dropped
])
def test_non_finite_numbers_are_refused_wherever_they_are(data, field):
    assert refused(data) == {field: "must be a finite number"}


def test_nan_does_not_pass_minimum_and_maximum():
    schema = {"type": "object", "required": ["amount"],
              "properties": {"amount": {"type": "number", "minimum": 0, "maximum": 1000}}}
    for value in (float("nan"), float("inf")):
        with pytest.raises(InvalidData) as refusal:
            forms.clean(schema, {"amount": value})
        assert refusal.value.fields == {"amount": "must be a finite number"}
    with pytest.raises(InvalidData):
        forms.refuse_non_finite({"draft": [float("nan")]})


# -- business rules ------------------------------------------------------------------------------

def test_rules_bound_each_row_by_its_own_cells():
    fields = refused({"lines": lines({"got": 11, "ok": 11}, {"got": 2, "ok": 3})})
    assert fields == {"lines.0.got": "must be at most 10 (ordered)", "lines.1.ok": "must be at most 2 (got)"}
    assert clean({"lines": lines({"got": 10, "ok": 7}, {"got": 0, "ok": 0})})["lines"][0]["ok"] == 7


def test_rules_read_the_case_as_it_will_be_after_the_step():
    assert refused({"box": {"weight": 25}}) == {"box.weight": "must be at most 24"}  # 2 × (10 + 2)
    assert clean({"box": {"weight": 24}})["box"]["weight"] == 24
    assert clean({"box": {"weight": 25}, "note": "heavy"})["box"]["weight"] == 25  # `when` is false
    assert refused({"box": {"weight": 5}, "lines": lines({"got": 1, "ok": 1}, {"got": 1, "ok": 1})}) == {
        "box.weight": "must be at most 4"}


def test_a_rule_that_cannot_be_evaluated_refuses_instead_of_letting_the_value_pass():
    case = {**CASE, "lines": [{**CASE["lines"][0], "ordered": None}, CASE["lines"][1]]}
    assert refused({"lines": lines({"got": 99999, "ok": 0}, {})}, case) == {
        "lines.0.got": "cannot be checked against its rule"}


def test_arithmetic_is_for_numbers_only():
    schema = {"type": "object", "properties": {"note": {"type": "string", "maxLength": 50},
                                               "n": {"type": "integer"}},
              "x-rules": [{"field": "n", "at_most": "len(note * 100000000)"}]}
    with pytest.raises(InvalidData) as refusal:  # a submitted text is never repeated into a huge one
        forms.clean(schema, {"note": "x" * 50, "n": 1})
    assert refusal.value.fields == {"n": "cannot be checked against its rule"}


def test_money_rules_compute_in_decimal():
    schema = {"type": "object", "properties": {
        "qty": {"type": "integer", "readOnly": True}, "price": {"type": "number", "readOnly": True},
        "credit": {"type": "number", "minimum": 0}},
        "x-rules": [{"field": "credit", "at_most": "qty * price"},
                    {"field": "credit", "at_least": "price / 3"}]}
    case = {"qty": 3, "price": 19.99}  # 59.97, where floats make 59.97000000000001
    assert forms.clean(schema, {"credit": 59.97}, case) == {"credit": 59.97}
    with pytest.raises(InvalidData) as refusal:
        forms.clean(schema, {"credit": 59.98}, case)
    assert refusal.value.fields == {"credit": "must be at most 59.97"}


def test_date_rules_compare_days_in_the_business_time_zone():
    schema = {"type": "object", "properties": {
        "approved_at": {"type": "string", "format": "date-time", "readOnly": True},
        "opening": {"type": "string", "format": "date"}, "received": {"type": "string", "format": "date"}},
        "x-rules": [{"field": "opening", "at_least": "today()"},
                    {"field": "received", "at_least": "approved_at"}]}
    case = {"approved_at": "2026-11-01T23:30:00+00:00"}  # 07:30 on 2 November in Shanghai
    written = {"opening": "2026-11-02", "received": "2026-11-02"}
    assert forms.clean(schema, written, case, now=NOW, zone=SHANGHAI)
    with pytest.raises(InvalidData) as refusal:
        forms.clean(schema, {"opening": "2026-11-01", "received": "2026-11-01"}, case, now=NOW, zone=SHANGHAI)
    assert refusal.value.fields == {"opening": "must be on or after 2026-11-02",
                                    "received": "must be on or after 2026-11-02 (approved_at)"}


# -- what deploy refuses -------------------------------------------------------------------------

def _with_rules(*rules):
    return {**LINES, "x-rules": list(rules)}


def _got_at_most(expression):
    return _with_rules({"field": "lines.*.got", "at_most": expression})


@pytest.mark.parametrize("schema, reason", [
    (_got_at_most("secret_limit"), "secret_limit is not a field of this form"),
    (_got_at_most("ordered.__class__"), "Attribute is not allowed"),
    (_got_at_most("__import__('os')"), "only the functions"),
    (_got_at_most("[x for x in lines]"), "ListComp is not allowed"),
    (_got_at_most("ordered ** 99"), "only + - * /"),
    (_got_at_most("lines[0]"), "Subscript is not allowed"),
    (_got_at_most("(lambda: 1)()"), "only the functions"),
    (_got_at_most("ordered +"), "is not an expression"),
    (_with_rules({"field": "lines.*.price", "at_most": "1"}), "price is read-only"),
    (_with_rules({"field": "note", "at_most": "1"}), "a rule bounds a number, a date or a date-time"),
    (_with_rules({"field": "lines.got", "at_most": "1"}), "neither a list of rows nor an object"),
    (_with_rules({"field": "lines.*", "at_most": "1"}), "cannot end in `*`"),
    (_with_rules({"field": "nowhere", "at_most": "1"}), "no field 'nowhere'"),
    (_with_rules({"field": "note", "at_most": "1", "at_least": "0"}), "exactly one of at_most and at_least"),
    (_with_rules({"field": "box.weight", "at_most": "1", "unless": "x"}), "unknown key(s) unless"),
    ({**LINES, "x-rules": {"field": "note"}}, "x-rules must be a list"),
    ({**LINES, "properties": {**LINES["properties"],
                              "lines": {**LINES["properties"]["lines"], "x-rows": "free"}}},
     "rows with read-only properties cannot be free"),
    ({**LINES, "properties": {**LINES["properties"], "note": {"type": "string", "x-rows": "fixed"}}},
     "x-rows belongs on a list"),
])
def test_deploy_refuses_rules_and_row_modes_a_form_cannot_mean(schema, reason):
    with pytest.raises(ValueError) as refusal:
        forms.check_form(schema)
    assert reason in str(refusal.value)


def test_the_rules_of_a_schema_are_compiled_once():
    clean({"note": "a"})
    compiled = forms._compiled(LINES)
    clean({"note": "b"})
    assert forms._compiled(LINES) is compiled


def test_each_refused_field_carries_its_keyword_and_limits_for_the_web_layer_to_word():
    schema = {"type": "object", "required": ["title", "lines"], "properties": {
        "title": {"type": "string", "minLength": 2, "maxLength": 5},
        "amount": {"type": "number", "minimum": 0, "maximum": 100},
        "lines": {"type": "array", "minItems": 1, "items": {"type": "object"}},
        "kind": {"type": "string", "enum": ["a", "b"]}}}
    with pytest.raises(InvalidData) as refused:
        forms.clean(schema, {"title": "太长的标题啊", "amount": 101, "kind": "c"})
    limits = refused.value.limits
    assert limits["title"] == {"code": "maxLength", "type": "string", "minLength": 2, "maxLength": 5}
    assert limits["amount"] == {"code": "maximum", "type": "number", "minimum": 0, "maximum": 100}
    assert limits["lines"] == {"code": "required", "type": "array", "minItems": 1,
                               "items": {"type": "object"}}
    assert limits["kind"]["code"] == "enum"
    assert set(limits) == set(refused.value.fields)
