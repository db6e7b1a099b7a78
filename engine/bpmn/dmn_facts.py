"""A DMN file read as the facts a version diff compares: each decision table with its columns and its
rules (rows), each rule's cells named by the column they sit in.

A cell is named by its column's expression (an input's `category`, an output's `sla_hours`), not by
position, so adding a column shows as one new cell in every rule rather than every cell shifting.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .specs import DMN_NAMESPACES


@dataclass(frozen=True)
class RuleFacts:
    rule_id: str
    inputs: tuple[tuple[str, str], ...]  # (input expression, cell text), in column order
    outputs: tuple[tuple[str, str], ...]  # (output name, cell text), in column order
    description: str

    def cells(self) -> dict[str, str]:
        cells = {f"input:{column}": text for column, text in self.inputs}
        cells.update({f"output:{column}": text for column, text in self.outputs})
        if self.description:
            cells["description"] = self.description
        return cells


@dataclass(frozen=True)
class DecisionFacts:
    decision_id: str
    name: str
    hit_policy: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    rules: tuple[RuleFacts, ...]


def dmn_decisions(content: str) -> dict[str, DecisionFacts]:
    """Every decision of the file with a decision table, keyed by the decision's id."""
    root = etree.fromstring(content.encode("utf-8"))
    namespace = etree.QName(root).namespace
    ns = f"{{{namespace if namespace in DMN_NAMESPACES else DMN_NAMESPACES[0]}}}"
    found: dict[str, DecisionFacts] = {}
    for decision in root.iter(f"{ns}decision"):
        table = decision.find(f"{ns}decisionTable")
        if table is None:
            continue
        inputs = tuple(_text(i.find(f"{ns}inputExpression/{ns}text")) or i.get("label") or i.get("id") or ""
                       for i in table.findall(f"{ns}input"))
        outputs = tuple(o.get("name") or o.get("label") or o.get("id") or ""
                        for o in table.findall(f"{ns}output"))
        rules = []
        for number, rule in enumerate(table.findall(f"{ns}rule"), start=1):
            cells_in = [_text(e.find(f"{ns}text")) for e in rule.findall(f"{ns}inputEntry")]
            cells_out = [_text(e.find(f"{ns}text")) for e in rule.findall(f"{ns}outputEntry")]
            rules.append(RuleFacts(rule.get("id") or f"rule {number}", tuple(zip(inputs, cells_in)),
                                   tuple(zip(outputs, cells_out)), _text(rule.find(f"{ns}description"))))
        decision_id = decision.get("id") or ""
        found[decision_id] = DecisionFacts(decision_id, decision.get("name") or "",
                                           table.get("hitPolicy") or "UNIQUE", inputs, outputs, tuple(rules))
    return found


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""
