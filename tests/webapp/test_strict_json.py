"""The app's JSON reader and writer, and the pieces of strict input that need no request: the nesting
is measured before parsing, NaN/Infinity/NUL/lone surrogates are refused with their place named,
responses never hold NaN, ids stay in the schema's range, error messages are cut to an excerpt."""
from __future__ import annotations

import json
import math

import pytest
from werkzeug.datastructures import MultiDict

from webapp.errors import excerpt
from webapp.record_ids import MAX_INT, record_id, record_ids
from webapp.strict_json import JSONRefused, loads, nesting_depth
from webapp.ui.form_fields import parse_submission


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('"[[[[[[["', 0), ('["]]]", ["\\"[[["]]', 2),
    ("[" * 100_000, 100_000),
])
def test_nesting_is_counted_on_the_text_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_text_outside_strings_that_is_not_ascii_is_no_json():
    for text in ("[" * 100_000 + "é", "é", "[é]"):
        with pytest.raises(ValueError):
            nesting_depth(text)
    with pytest.raises(ValueError) as refused:
        loads("[" * 50_000 + "é")  # never handed to json.loads, whose recursion would give out
    assert not isinstance(refused.value, JSONRefused)


def test_nesting_beyond_the_limit_is_refused_before_parsing():
    deep = "[" * 100_000 + "]" * 100_000  # json.loads alone raises RecursionError here
    with pytest.raises(JSONRefused) as refused:
        loads(deep)
    assert refused.value.fields == {"_body": "nested deeper than 64 levels"}
    assert loads("[" * 64 + "]" * 64, max_depth=64) is not None
    with pytest.raises(JSONRefused):
        loads("[" * 65 + "]" * 65, max_depth=64)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1E400"])
def test_non_finite_numbers_are_refused_naming_where(number):
    with pytest.raises(JSONRefused) as refused:
        loads('{"data": {"items": [{"unit_price": %s}]}}' % number)
    assert refused.value.fields == {"data.items.0.unit_price": f"{number} is not a JSON number"}
    assert "NaN" in refused.value.message


@pytest.mark.parametrize("text, place", [
    ('{"name": "\\ud800"}', "name"), ('{"name": "a\\udfffb"}', "name"), ('["ok", "\\u0000"]', "1"),
    ('{"\\ud800": 1}', "\\ud800"), ('{"data": {"x\\u0000": 1}}', "data.x\\u0000"),
    (b'{"name": "\xed\xa0\x80"}', "name"),  # a surrogate encoded as UTF-8 bytes (which json.loads takes)
])
def test_unstorable_text_is_refused_naming_where(text, place):
    with pytest.raises(JSONRefused) as refused:
        loads(text)
    assert list(refused.value.fields) == [place]


def test_non_finite_numbers_are_refused_whatever_the_callers_hook_makes_of_the_value():
    with pytest.raises(JSONRefused):
        loads('{"a": {"b": NaN}}', object_hook=lambda d: tuple(d.items()))


def test_what_is_json_passes_unchanged():
    text = ('{"emoji": "\\ud83d\\ude00", "price": 1.5e3, "small": -2.5e-300, "n": 12, '
            '"中文": ["退货", null, true]}')
    assert loads(text) == json.loads(text)
    assert loads(text.encode("utf-16")) == json.loads(text)


def test_responses_never_hold_nan(app):
    with app.test_request_context():
        text = app.json.dumps({"a": [1.5, math.nan], "b": {"c": math.inf, "d": -math.inf}})
        assert json.loads(text, parse_constant=lambda word: pytest.fail(word)) == \
            {"a": [1.5, None], "b": {"c": None, "d": None}}
        response = app.json.response({"amount_claimed": math.nan})
        assert response.get_data(as_text=True).strip() == '{"amount_claimed":null}'


def test_ids_are_ascii_digits_within_the_integer_range():
    assert record_id("1") == 1 and record_id(str(MAX_INT)) == MAX_INT
    assert [record_id(v) for v in ("0", "-1", str(MAX_INT + 1), str(2**63), "²", "١٢", " 1", "1e3", "")] == \
        [None] * 9
    assert record_ids(["3", "x", "9" * 5000, "4"]) == [3, 4]


def test_a_long_message_keeps_its_start_and_its_reason():
    message = repr("x" * 1_000_000) + " is too long"
    short = excerpt(message)
    assert len(short) == 80 and short.startswith("'xxx") and short.endswith("xxx' is too long")
    assert "…" in short
    assert excerpt("short") == "short"


@pytest.mark.parametrize("typed", ["1e999", "-1e999", "1E400", "NaN", "Infinity", "nan"])
def test_a_number_field_keeps_text_that_is_no_finite_number(typed):
    schema = {"type": "object", "properties": {"amount": {"type": "number"}, "count": {"type": "integer"}}}
    data = parse_submission(schema, MultiDict({"amount": typed, "count": typed}))
    assert data == {"amount": typed, "count": typed}  # the engine then refuses it beside the field
