"""A BPMN file read as the facts a version diff compares: each element by id, with its type, name and
every aspect an administrator can change (properties, lane, flows, conditions, scripts, timers, ...).

The diff works on the stored XML rather than on SpiffWorkflow's task specs: the specs drop what the
engine does not run (names, the step's English name, due hours, lanes of non-user tasks), and the
administrator wants to see exactly what the file says. The diagram's layout (`bpmndi`) is not a fact:
moving a shape changes nothing a case does. Each aspect is a string, so two versions compare by `==`
and any part of the file a named aspect does not cover still shows up, under its tag's name.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .specs import BPMN_NS, SPIFF_NS

BPMN = f"{{{BPMN_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"
#: Containers whose children are elements of their own (read one by one), not aspects of the container.
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess", "collaboration", "laneSet"}
#: Children read by a named aspect (or derived from the flows), never shown as a raw child.
_HANDLED = {"documentation", "extensionElements", "incoming", "outgoing", "script", "conditionExpression",
            "flowNodeRef", "childLaneSet"}
_SKIPPED_ATTRIBUTES = {"id", "name"}


@dataclass(frozen=True)
class ElementFacts:
    """One BPMN element as compared: `aspects` maps an aspect's key to its text."""

    element_id: str
    type: str  # the BPMN tag without its namespace: userTask, sequenceFlow, exclusiveGateway, ...
    name: str
    aspects: tuple[tuple[str, str], ...]

    def aspect_map(self) -> dict[str, str]:
        return dict(self.aspects)


def bpmn_elements(content: str) -> dict[str, ElementFacts]:
    """Every element of the file with an id, except the diagram: processes, participants, lanes, flow
    nodes, sequence flows and the rest, keyed by id."""
    root = etree.fromstring(content.encode("utf-8"))
    lanes = _lanes(root)
    flows = _flows(root)
    found: dict[str, ElementFacts] = {}
    for element in _elements(root):
        element_id = element.get("id")
        if not element_id or element_id in found:
            continue
        aspects = _aspects(element, lanes.get(element_id), flows)
        found[element_id] = ElementFacts(element_id, etree.QName(element).localname,
                                         element.get("name") or "", tuple(sorted(aspects.items())))
    return found


def _elements(root: etree._Element) -> list[etree._Element]:
    """The elements worth comparing: children of the definitions, of processes, sub-processes, the
    collaboration and lane sets (nested lanes too), but never the diagram (`bpmndi`)."""
    result: list[etree._Element] = []

    def walk(parent: etree._Element) -> None:
        for child in parent:
            if not isinstance(child.tag, str) or not child.tag.startswith(BPMN):
                continue
            local = etree.QName(child).localname
            if local in _CONTAINERS or local in ("lane", "childLaneSet"):
                walk(child)
            if local in _HANDLED or local in ("laneSet", "childLaneSet"):
                continue
            if child.get("id"):
                result.append(child)

    walk(root)
    return result


def _lanes(root: etree._Element) -> dict[str, str]:
    """Element id → the name of the innermost lane holding it (the role that does the step)."""
    result: dict[str, str] = {}
    for lane in root.iter(f"{BPMN}lane"):
        for ref in lane.findall(f"{BPMN}flowNodeRef"):
            if ref.text:
                result[ref.text.strip()] = lane.get("name") or lane.get("id") or ""
    return result


def _flows(root: etree._Element) -> dict[str, tuple[list[str], list[str]]]:
    """Element id → (incoming, outgoing) sequence flow ids, as the flows' own source and target say."""
    result: dict[str, tuple[list[str], list[str]]] = {}
    for flow in root.iter(f"{BPMN}sequenceFlow"):
        flow_id = flow.get("id") or ""
        result.setdefault(flow.get("sourceRef") or "", ([], []))[1].append(flow_id)
        result.setdefault(flow.get("targetRef") or "", ([], []))[0].append(flow_id)
    return result


def _aspects(element: etree._Element, lane: str | None,
             flows: dict[str, tuple[list[str], list[str]]]) -> dict[str, str]:
    local = etree.QName(element).localname
    aspects: dict[str, str] = {}
    documentation = element.find(f"{BPMN}documentation")
    if documentation is not None and (documentation.text or "").strip():
        aspects["documentation"] = documentation.text.strip()
    if lane is not None:
        aspects["lane"] = lane
    if local != "sequenceFlow" and local not in _CONTAINERS and local != "lane":
        incoming, outgoing = flows.get(element.get("id") or "", ([], []))
        if incoming:
            aspects["incoming"] = ", ".join(sorted(incoming))
        if outgoing:
            aspects["outgoing"] = ", ".join(sorted(outgoing))
    for name, value in element.attrib.items():
        key = etree.QName(name).localname
        if key not in _SKIPPED_ATTRIBUTES:
            aspects[key] = value
    script = element.find(f"{BPMN}script")
    if script is not None and (script.text or "").strip():
        aspects["script"] = script.text.strip()
    condition = element.find(f"{BPMN}conditionExpression")
    if condition is not None:
        aspects["condition"] = (condition.text or "").strip()
    extensions = element.find(f"{BPMN}extensionElements")
    if extensions is not None:
        aspects.update(_extensions(extensions))
    if local in _CONTAINERS or local == "lane":
        return aspects
    for child in element:
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child).localname
        if child_name in _HANDLED:
            continue
        key, number = child_name, 1
        while key in aspects:
            number += 1
            key = f"{child_name}:{number}"
        aspects[key] = _canonical(child, tag=False)
    return aspects


def _extensions(extensions: etree._Element) -> dict[str, str]:
    """`spiffworkflow:properties` one aspect per property (`property:dueInHours`); every other
    extension (preScript, calledDecisionId, serviceTaskOperator, ...) one aspect by its tag."""
    aspects: dict[str, str] = {}
    for child in extensions:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if child.tag == f"{SPIFF}properties":
            for prop in child.findall(f"{SPIFF}property"):
                aspects[f"property:{prop.get('name') or ''}"] = prop.get("value") or ""
        elif len(child) == 0 and not child.attrib:
            aspects[local] = (child.text or "").strip()
        else:
            aspects[local] = _canonical(child, tag=False)
    return aspects


def _canonical(element: etree._Element, tag: bool = True) -> str:
    """An element's content as one stable line: tag, attributes sorted, children, text stripped; ids of
    the inner parts (which editors renumber) left out."""
    parts = [etree.QName(element).localname] if tag else []
    attributes = [f"{etree.QName(k).localname}={v}" for k, v in sorted(element.attrib.items())
                  if etree.QName(k).localname != "id"]
    if attributes:
        parts.append("[" + " ".join(attributes) + "]")
    text = (element.text or "").strip()
    if text:
        parts.append(f" {text}")
    children = [_canonical(c) for c in element if isinstance(c.tag, str)]
    if children:
        parts.append(" {" + "; ".join(children) + "}")
    return "".join(parts).strip()
