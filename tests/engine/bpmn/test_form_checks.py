"""A form file checked on its own, as deploy checks it: each refusal names where (line and column of a
syntax error, the schema path of a bad keyword, the x- extension at fault)."""
from __future__ import annotations

import pytest

from engine.bpmn import read_form
from engine.errors import DeployError


def test_a_good_form_is_read():
    schema = read_form("ok.json", '{"type": "object", "properties": {"note": {"type": "string"}}}')
    assert schema["properties"]["note"] == {"type": "string"}


@pytest.mark.parametrize("text, says", [
    ('{"type": "object",\n  "properties": {\n    "a": {"type": "string"}\n    "b": {}}}',
     "f.json, line 4, column 5: invalid JSON: Expecting ',' delimiter"),
    ("[1, 2]", "f.json: a form must be a JSON object"),
    ('{"type": "object", "properties": {"qty": {"type": "whole"}}}',
     "f.json: not a valid JSON Schema at properties/qty/type: "),
    ('{"type": "object", "properties": {"qty": {"type": "integer", "minimum": "one"}}}',
     "f.json: not a valid JSON Schema at properties/qty/minimum: 'one' is not of type 'number'"),
    ('{"type": "object", "properties": {"a": {"type": "number"}}, '
     '"x-rules": [{"when": "nope > 1", "message": "x"}]}', "f.json: x-rules[0]: unknown key(s) message"),
])
def test_a_bad_form_is_refused_naming_where(text, says):
    with pytest.raises(DeployError) as refused:
        read_form("f.json", text)
    assert refused.value.message.startswith(says), refused.value.message
    assert refused.value.filename == "f.json"
