"""The checks of OpsFlow's properties that hold for any process (docs/modelling.md, "The files are the
source"): deploy refuses a model breaking one, naming file and element, so a modeler's save fails on
the element it concerns. The shipped models' lint (`workflows/model_lint.py`) runs these and adds the
conventions of the shipped catalogue (every step named in English and timed, outcomes known, ...).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from lxml import etree

from engine.errors import DeployError

from .properties import BPMN, listed, own_properties

STORE_STATUSES = ("planned", "open", "closed")
STORE_KINDS = ("direct", "franchise")
FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
OUTCOME = re.compile(r"^[a-z][a-z0-9_]*$")
#: The elements a case passes through and a person may read the name of.
NAMED = ("startEvent", "endEvent", "userTask", "scriptTask", "serviceTask", "businessRuleTask", "task",
         "manualTask", "sendTask", "receiveTask", "callActivity", "subProcess", "exclusiveGateway",
         "parallelGateway", "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent",
         "intermediateThrowEvent", "boundaryEvent")


@dataclass(frozen=True)
class Problem:
    """One broken rule: `code` names the rule (stable, for the UI to put into words), `params` the
    values its message quotes, `message` says it in English for logs and the CLI."""

    filename: str
    element: str | None
    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)
    line: int | None = None


def tag(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def property_problems(filename: str, xml: str) -> list[Problem]:
    """Every broken rule of the properties of a BPMN file (empty when it cannot be read: the parser
    reports that)."""
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return []
    return list(_problems(filename, root))


def _problems(filename: str, root: etree._Element) -> Iterator[Problem]:
    for process in root.iter(f"{BPMN}process"):
        yield from _process_problems(filename, process)
        complete = bool(own_properties(process).get("nameEn"))
        for element in process.iter():
            kind = tag(element)
            if kind not in NAMED:
                continue
            yield from _element_problems(filename, element, kind)
            if complete:
                yield from _complete_problems(filename, element, kind)


def _complete_problems(filename: str, element: etree._Element, kind: str) -> Iterator[Problem]:
    """A process that names itself in English (`nameEn`: it is written for the catalogue, like the
    shipped ones and whatever the modeler saves of them) names every step in English and times every
    user task, so no edit loses what the task list and the English pages show."""
    props, element_id = own_properties(element), element.get("id")
    if element.get("name") and not props.get("nameEn"):
        yield Problem(filename, element_id, "name_en_missing", "named element has no nameEn",
                      line=element.sourceline)
    if kind == "userTask" and not props.get("dueInHours"):
        yield Problem(filename, element_id, "due_hours_missing", "user task has no dueInHours",
                      line=element.sourceline)


def _process_problems(filename: str, process: etree._Element) -> Iterator[Problem]:
    props, key = own_properties(process), process.get("id")

    def problem(code: str, message: str, **params: str) -> Problem:
        return Problem(filename, key, code, message, params, process.sourceline)

    status, kind = props.get("startStoreStatus"), props.get("startStoreKind")
    if status is not None and status not in STORE_STATUSES:
        yield problem("store_status_unknown", f"startStoreStatus must be one of {', '.join(STORE_STATUSES)}, "
                      f"not {status!r}", value=status, allowed=", ".join(STORE_STATUSES))
    if kind is not None and kind not in STORE_KINDS:
        yield problem("store_kind_unknown", f"startStoreKind must be one of {', '.join(STORE_KINDS)}, "
                      f"not {kind!r}", value=kind, allowed=", ".join(STORE_KINDS))
    prefix = props.get("businessKeyPrefix")
    if prefix is not None and not PREFIX.match(prefix):
        yield problem("key_prefix_invalid", f"businessKeyPrefix must be 1-8 capital letters or digits, "
                      f"not {prefix!r}", value=prefix)
    for name in ("storeFields", "storeListFields"):
        bad = [f for f in listed(props.get(name)) if not FIELD.match(f)]
        if bad:
            yield problem("field_name_invalid", f"{name} names {', '.join(bad)}, which are not field names",
                          property=name, value=", ".join(bad))
    template = props.get("titleTemplate")
    if template is not None:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            yield problem("title_invalid", f"titleTemplate is not a format text ({exc})", detail=str(exc))
        else:
            bad = [f for f in fields if not FIELD.match(f)]
            if bad:
                yield problem("title_invalid", f"titleTemplate names {', '.join(bad)}, which are not field "
                              "names", detail=", ".join(bad))


def _element_problems(filename: str, element: etree._Element, kind: str) -> Iterator[Problem]:
    props, element_id = own_properties(element), element.get("id")

    def problem(code: str, message: str, **params: str) -> Problem:
        return Problem(filename, element_id, code, message, params, element.sourceline)

    due = props.get("dueInHours")
    if due is not None:
        try:
            hours = float(due)
        except ValueError:
            hours = -1.0
        if not 0 < hours <= 24 * 365:
            yield problem("due_hours_invalid", f"dueInHours must be a number of hours above 0, not {due!r}",
                          value=due)
    priority = props.get("priority")
    if priority is not None and priority not in ("1", "2", "3", "4", "5"):
        yield problem("priority_invalid", f"priority must be 1 to 5, not {priority!r}", value=priority)
    no_return = props.get("pointOfNoReturn")
    if no_return is not None and no_return.lower() not in ("true", "false"):
        yield problem("flag_invalid", f"pointOfNoReturn must be true or false, not {no_return!r}",
                      property="pointOfNoReturn", value=no_return)
    outcome = props.get("outcome")
    if outcome is not None and (kind != "endEvent" or not OUTCOME.match(outcome)):
        yield problem("outcome_invalid", f"outcome belongs on an end event and is a lower-case word, "
                      f"not {outcome!r}", value=outcome)
    name_en = props.get("nameEn")
    if name_en is not None and not name_en.strip():
        yield problem("name_en_empty", "nameEn is empty")


def check_properties(files: Iterable[object]) -> None:
    """Refuse the first BPMN file whose properties break a rule (DeployError naming file and element,
    with the rule's code and values for the UI)."""
    for f in files:
        if getattr(f, "kind", None) != "bpmn":
            continue
        for problem in property_problems(f.filename, f.content):  # type: ignore[attr-defined]
            raise refusal(problem)


def refusal(problem: Problem) -> DeployError:
    where = problem.filename + (f", element {problem.element}" if problem.element else "")
    return DeployError(f"{where}: {problem.message}", filename=problem.filename, element=problem.element,
                       line=problem.line, reason=problem.code, params=problem.params)
