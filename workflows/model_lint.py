"""The shipped models against docs/modelling.md: `python -m workflows.model_lint` (exit 1 on a problem).

Deploy already refuses what is wrong for any process (engine/bpmn/property_rules.py, run here too);
this adds the conventions of OpsFlow's own catalogue, which an administrator's quick upload need not
follow: lanes are roles of the directory named `lane_<role>`, every step and event is named in
English (`nameEn`), every user task has a form that exists and is a valid JSON Schema and a due time,
the start event has the start form, every form file is used, a case-ending end event says a known
outcome (side branches none), and the process says who starts it, how a case is titled and keyed.
"""
from __future__ import annotations

import string
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from engine.bpmn import property_problems

from . import BPMN_DIR
from .form_schemas import FORMS_DIR
from .registry import OUTCOMES, PROCESSES, SHARED_SUBPROCESSES
from .roles import TASK_ROLE_KEYS

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
NAMED = ("startEvent", "endEvent", "userTask", "scriptTask", "serviceTask", "businessRuleTask",
         "callActivity", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "intermediateCatchEvent",
         "boundaryEvent", "receiveTask")
#: What a scheduled start gives a case beside its store (docs/modelling.md, scheduled starts)
SCHEDULED_START_FIELDS = {"scheduled_period", "scheduled_by", "store_code"}
PROCESS_REQUIRED = ("nameEn", "description", "descriptionEn", "starterRoles", "titleTemplate",
                    "businessKeyPrefix")


@dataclass(frozen=True)
class LintProblem:
    filename: str
    element: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.filename}, element {self.element}: {self.message} [{self.rule}]"


def props(element: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for ext in element.findall(f"{BPMN}extensionElements"):
        for p in ext.iterfind(f"{SPIFF}properties/{SPIFF}property"):
            found[p.get("name") or ""] = p.get("value") or ""
    return found


def lint_model(key: str, xml: str, forms_dir: Path, *, shared: bool = False) -> list[LintProblem]:
    """Every way model `key` (its BPMN text, its forms in `forms_dir`) departs from docs/modelling.md."""
    filename = f"{key}.bpmn"
    found = [LintProblem(p.filename, p.element, p.code, p.message) for p in property_problems(filename, xml)]
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find(f"{BPMN}process[@id='{key}']")
    if process is None:
        return [*found, LintProblem(filename, key, "process_missing", f"no process with id {key!r}")]
    found.extend(_process_rules(filename, key, process, forms_dir, shared))
    found.extend(_element_rules(filename, process, forms_dir, shared))
    unique = {(p.filename, p.element, p.rule): p for p in found}  # deploy's rules and ours may meet
    return list(unique.values())


def _process_rules(filename: str, key: str, process: etree._Element, forms_dir: Path, shared: bool
                   ) -> Iterator[LintProblem]:
    declared = props(process)
    if not process.get("name"):
        yield LintProblem(filename, key, "name_missing", "the process has no (Chinese) name")
    required = ("nameEn",) if shared else PROCESS_REQUIRED
    for name in required:
        if not declared.get(name):
            yield LintProblem(filename, key, "process_property_missing", f"the process has no {name}")
    starters = [r.strip() for r in declared.get("starterRoles", "").split(",") if r.strip()]
    unknown = [r for r in starters if r not in TASK_ROLE_KEYS]
    if unknown:
        yield LintProblem(filename, key, "role_unknown",
                          f"starterRoles names {', '.join(unknown)}, not roles")
    template = declared.get("titleTemplate")
    start = process.find(f"{BPMN}startEvent")
    if template and start is not None:
        form_name = props(start).get("formJsonSchemaFilename", "")
        fields = set(_form(forms_dir / form_name).get("properties", {})) if form_name else set()
        if start.find(f"{BPMN}timerEventDefinition") is not None:
            fields |= SCHEDULED_START_FIELDS
        named = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if named - fields:
            yield LintProblem(filename, key, "title_field_unknown", f"titleTemplate names "
                          f"{', '.join(sorted(named - fields))}, not fields of the start form")
    lanes = list(process.iter(f"{BPMN}lane"))
    for lane in lanes:
        role = lane.get("name")
        if role not in TASK_ROLE_KEYS:
            yield LintProblem(filename, lane.get("id"), "lane_not_role",
                          f"lane {role!r} is not a role of the directory")
        elif lane.get("id") != f"lane_{role}":
            yield LintProblem(filename, lane.get("id"), "lane_id", f"a lane's id is lane_<role>: lane_{role}")
    used = {props(e).get("formJsonSchemaFilename") for e in process.iter() if isinstance(e.tag, str)}
    on_disk = {p.name for p in forms_dir.glob("*.json")} if forms_dir.is_dir() else set()
    for unused in sorted(on_disk - used):
        yield LintProblem(f"{forms_dir.name}/{unused}", None, "form_unused",
                      "no element of the model uses this form")
    main = _main_path(process)
    for end in process.iter(f"{BPMN}endEvent"):
        outcome = props(end).get("outcome")
        if shared:
            if outcome:
                yield LintProblem(filename, end.get("id"), "outcome_in_callee",
                                  "a called process's end events carry no outcome (the case ends "
                                  "through the caller's)")
        elif end.get("id") in main and outcome not in OUTCOMES:
            yield LintProblem(filename, end.get("id"), "outcome_unknown",
                          f"an end event ending the case says a known outcome, not {outcome!r}")
        elif end.get("id") not in main and outcome:
            yield LintProblem(filename, end.get("id"), "outcome_on_branch",
                          "a side branch's end event has no outcome")


def _element_rules(filename: str, process: etree._Element, forms_dir: Path, shared: bool
                   ) -> Iterator[LintProblem]:
    """A called process starts with the caller's data: its start event has no form."""
    lanes = {ref.text for lane in process.iter(f"{BPMN}lane") for ref in lane.iter(f"{BPMN}flowNodeRef")}
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        kind, element_id, declared = etree.QName(element).localname, element.get("id"), props(element)
        if kind not in NAMED:
            continue
        if element.get("name") and not declared.get("nameEn"):
            yield LintProblem(filename, element_id, "name_en_missing", "named element has no nameEn")
        needs_form = kind == "userTask" or (kind == "startEvent" and not shared)
        if needs_form and not declared.get("formJsonSchemaFilename"):
            yield LintProblem(filename, element_id, "form_missing", "names no form (formJsonSchemaFilename)")
        form_name = declared.get("formJsonSchemaFilename")
        if form_name:
            path = forms_dir / form_name
            if not path.is_file():
                yield LintProblem(filename, element_id, "form_not_found", f"form {form_name} does not exist")
            else:
                try:
                    Draft202012Validator.check_schema(_form(path))
                except (SchemaError, ValueError) as exc:
                    yield LintProblem(filename, element_id, "form_invalid",
                                  f"form {form_name} is not valid: {str(exc)[:200]}")
        if kind == "userTask":
            if not declared.get("dueInHours"):
                yield LintProblem(filename, element_id, "due_hours_missing", "user task has no dueInHours")
            if element_id not in lanes:
                yield LintProblem(filename, element_id, "lane_missing", "user task is in no lane")


def _form(path: Path) -> dict:
    import json
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _main_path(process: etree._Element) -> set[str]:
    """Nodes a case passes on its way to an outcome: interrupting boundary events (they replace their
    task) but not non-interrupting ones, and from an inclusive gateway only the flow always taken."""
    flows = list(process.iter(f"{BPMN}sequenceFlow"))
    starts = [s.get("id") for s in process.iter(f"{BPMN}startEvent")]
    seen: set[str] = set()
    todo = list(starts)
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
            if (element is not None and element.tag == f"{BPMN}inclusiveGateway"
                    and (condition is None or condition.text != "True")):
                continue
            todo.append(flow.get("targetRef"))
    return seen


def lint_shipped(bpmn_dir: Path = BPMN_DIR, forms_dir: Path = FORMS_DIR) -> list[LintProblem]:
    found: list[LintProblem] = []
    for key in (*PROCESSES, *SHARED_SUBPROCESSES):
        xml = (bpmn_dir / f"{key}.bpmn").read_text(encoding="utf-8")
        found.extend(lint_model(key, xml, forms_dir / key, shared=key in SHARED_SUBPROCESSES))
    return found


def main() -> int:
    problems = lint_shipped()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {len(PROCESSES) + len(SHARED_SUBPROCESSES)} models")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())


def shipped_user_tasks(key: str) -> dict[str, str]:
    """The user tasks of a shipped model, element id → form file (for tests and tools)."""
    process = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot().find(f"{BPMN}process[@id='{key}']")
    return {t.get("id") or "": props(t).get("formJsonSchemaFilename", "")
            for t in process.iter(f"{BPMN}userTask")}
