"""Deploy compiles every piece of Python in a model under the policy it will run under.

Script tasks, pre- and post-scripts, sequence-flow conditions, timer, loop and message expressions
in BPMN files, and the input expressions, input entries (as SpiffWorkflow's DMN engine turns them
into expressions) and output entries of DMN tables: each is compiled with `script_compiler`, the
compiler the server and its workers use, so a model that deploys is never refused at run time for
what its code says. A refusal names the file, the line, the element and the reason.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from lxml import etree

from engine.errors import DeployError
from engine.sandbox.compiler import HELPER_NAMES, compile_code
from engine.sandbox.guards import ScriptPolicyError

from .specs import BPMN_NS, DMN_NAMESPACES, SPIFF_NS, SourceFile, owner_id

BPMN = f"{{{BPMN_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"

# tag -> (mode, what it is): the BPMN elements whose text SpiffWorkflow runs or evaluates
_BPMN_CODE = {
    f"{BPMN}script": ("exec", "script"),
    f"{SPIFF}preScript": ("exec", "pre-script"),
    f"{SPIFF}postScript": ("exec", "post-script"),
    f"{BPMN}conditionExpression": ("eval", "condition"),
    f"{BPMN}condition": ("eval", "condition"),
    f"{BPMN}timeDate": ("eval", "timer date"),
    f"{BPMN}timeDuration": ("eval", "timer duration"),
    f"{BPMN}timeCycle": ("eval", "timer cycle"),
    f"{BPMN}loopCardinality": ("eval", "loop cardinality"),
    f"{BPMN}completionCondition": ("eval", "completion condition"),
    f"{BPMN}messagePath": ("eval", "correlation expression"),
    f"{SPIFF}messagePayload": ("eval", "message payload"),
    f"{SPIFF}expression": ("eval", "correlation expression"),
}
_DMN_QUESTION = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')  # SpiffWorkflow's DMNEngine.evaluate


@dataclass(frozen=True)
class ModelCode:
    filename: str
    element: str | None
    what: str       # "script", "condition", "DMN input entry", ...
    mode: str       # "exec" or "eval"
    source: str     # exactly what SpiffWorkflow hands the script engine
    line: int       # of the file, where the code starts


def _bpmn_code(file: SourceFile, root: etree._Element) -> Iterator[ModelCode]:
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        parent = el.getparent()
        found = _BPMN_CODE.get(el.tag)
        if el.tag == f"{BPMN}condition" and parent.tag != f"{BPMN}conditionalEventDefinition":
            found = None
        elif (el.tag == f"{BPMN}formalExpression"
              and parent.tag == f"{BPMN}correlationPropertyRetrievalExpression"):
            found = ("eval", "correlation expression")  # SpiffWorkflow reads it as a messagePath
        elif el.tag == f"{SPIFF}parameter" and el.get("value"):
            yield ModelCode(file.filename, owner_id(el), f"service parameter {el.get('id')!r}", "eval",
                            el.get("value"), el.sourceline or 0)
            continue
        if found is not None and el.text and el.text.strip():
            yield ModelCode(file.filename, owner_id(el), found[1], found[0], el.text, el.sourceline or 0)


def _dmn_entry(input_expression: str, text: str) -> tuple[str, dict[str, str]]:
    """The expression SpiffWorkflow's DMN engine evaluates for an input entry (see DMNEngine.evaluate)."""
    match = _DMN_QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" in match:
        return match, {"dmninputexpr": input_expression}
    try:
        ast.parse(text)
    except SyntaxError:
        return input_expression + text, {}
    return f"({input_expression}) == ({text})", {}


def _dmn_code(file: SourceFile, root: etree._Element) -> Iterator[ModelCode]:
    for ns in DMN_NAMESPACES:
        tag = lambda name: f"{{{ns}}}{name}"  # noqa: E731
        for table in root.iter(tag("decisionTable")):
            inputs: list[str | None] = []
            for column in table.findall(tag("input")):
                text_el = column.find(f"{tag('inputExpression')}/{tag('text')}")
                text = text_el.text if text_el is not None and text_el.text else None
                inputs.append(text)
                if text:
                    yield ModelCode(file.filename, column.get("id"), "DMN input expression", "eval", text,
                                    text_el.sourceline or 0)
            for row, rule in enumerate(table.findall(tag("rule")), start=1):
                for kind, entries in (("input", rule.findall(tag("inputEntry"))),
                                      ("output", rule.findall(tag("outputEntry")))):
                    for column, entry in enumerate(entries):
                        text_el = entry.find(tag("text"))
                        text = text_el.text if text_el is not None else None
                        if not text or text == "-":
                            continue
                        what = f"DMN {kind} entry of rule {row}"
                        line = text_el.sourceline or 0
                        if kind == "output":
                            yield ModelCode(file.filename, entry.get("id"), what, "eval", text, line)
                            continue
                        declared = inputs[column] if column < len(inputs) else None
                        source, extra = _dmn_entry(declared or "dmninput", text)
                        for code in (source, *extra.values()):
                            yield ModelCode(file.filename, entry.get("id"), what, "eval", code, line)


def model_code(files: Iterable[SourceFile]) -> Iterator[ModelCode]:
    """Every piece of Python in these model files, with where it is."""
    for file in files:
        if file.kind not in ("bpmn", "dmn"):
            continue
        try:
            root = etree.fromstring(file.content.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue  # the parser refuses the file, naming the line
        yield from (_bpmn_code if file.kind == "bpmn" else _dmn_code)(file, root)


def _refusal(code: ModelCode, reason: str, line_in_code: int | None) -> DeployError:
    line = code.line + max((line_in_code or 1) - 1, 0)
    where = f"{code.filename}, line {line}, element {code.element or '?'}"
    return DeployError(f"{where}: {code.what}: {reason}", filename=code.filename, element=code.element,
                       line=line, reason="model_code", params={"what": code.what, "detail": reason})


def check_model_code(files: Iterable[SourceFile]) -> None:
    """Raise DeployError for the first piece of model code the script policy refuses."""
    for code in model_code(files):
        try:
            compiled = compile_code(code.source, code.mode)
        except SyntaxError as exc:
            raise _refusal(code, f"syntax error: {exc.msg}", exc.lineno) from None
        except ScriptPolicyError as exc:
            first = re.split(r"; (?=Line \d+: )", str(exc))[0]
            found = re.match(r"Line (\d+): (.*)", first)
            if found is None:
                raise _refusal(code, first, None) from None
            raise _refusal(code, found.group(2), int(found.group(1))) from None
        reserved = compiled.bound & HELPER_NAMES
        if reserved:
            names = ", ".join(sorted(reserved))
            raise _refusal(code, f"cannot assign to {names}: the name of a script helper", None)
