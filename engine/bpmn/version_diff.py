"""What changed between two versions of a process, read from their stored files: BPMN elements added,
removed and changed (names, OpsFlow properties, type, lane, flows, conditions, scripts, timers), form
fields, and decision-table rules.

Why from the files and not from SpiffWorkflow's `SpecDiff`: the spec diff sees only what the engine
runs (task specs and their connections); a changed step name, English name, due hours, form field or
decision threshold is invisible to it, and those are most of what a process owner changes. Every list
comes out in one order for the same two versions (by file, then by id or position), so a page and an
API client see the same diff twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .bpmn_facts import ElementFacts, bpmn_elements
from .dmn_facts import DecisionFacts, RuleFacts, dmn_decisions
from .form_facts import form_fields
from .specs import SourceFile

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
#: How an element sorts within its file: the steps first, then the flows, then lanes and the process.
_FLOW, _FRAME = "sequenceFlow", ("process", "participant", "collaboration", "lane")


@dataclass(frozen=True)
class Change:
    """One aspect of one thing: its text before (None: it had none) and after (None: gone)."""

    aspect: str
    old: str | None
    new: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"aspect": self.aspect, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ElementChange:
    status: str  # added, removed, changed
    element_id: str
    type: str  # of the new version's element (the old one's when removed)
    name: str
    file: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "element_id": self.element_id, "type": self.type, "name": self.name,
                "file": self.file, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class FieldChange:
    status: str
    path: str  # `amount`, `address.city`, `lines[].sku`
    title: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "path": self.path, "title": self.title,
                "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class FormChange:
    status: str
    filename: str
    title: str
    changes: tuple[Change, ...]  # the form's own keywords (title, description, x-rules, ...)
    fields: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "filename": self.filename, "title": self.title,
                "changes": [c.to_dict() for c in self.changes], "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class RuleChange:
    status: str
    rule_id: str
    position: int  # 1-based row in the new table (in the old one when removed)
    inputs: tuple[tuple[str, str], ...]  # the rule's input cells, which say which case it is for
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "rule_id": self.rule_id, "position": self.position,
                "inputs": [{"input": column, "entry": text} for column, text in self.inputs],
                "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class DecisionChange:
    status: str
    decision_id: str
    name: str
    file: str
    changes: tuple[Change, ...]  # name, hit policy, columns
    rules: tuple[RuleChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "decision_id": self.decision_id, "name": self.name, "file": self.file,
                "changes": [c.to_dict() for c in self.changes], "rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True)
class Diagram:
    """A BPMN file of either version (the process's own, or a called process's it carries) and which
    of the two versions has it: the diff page draws one file at a time, side by side."""

    filename: str
    in_old: bool
    in_new: bool


@dataclass(frozen=True)
class VersionDiff:
    key: str
    from_version: int
    to_version: int
    files: tuple[Change, ...]  # aspect = file name; old/new = its kind, None where it is not
    elements: tuple[ElementChange, ...]
    forms: tuple[FormChange, ...]
    decisions: tuple[DecisionChange, ...]
    diagrams: tuple[Diagram, ...] = ()  # the process's own file first, then the others by name

    @property
    def empty(self) -> bool:
        return not (self.files or self.elements or self.forms or self.decisions)

    def element_ids(self, status: str, file: str | None = None) -> list[str]:
        """The ids of the elements with `status`, of one BPMN file when `file` is given."""
        return [e.element_id for e in self.elements if e.status == status and file in (None, e.file)]

    def marks(self, file: str) -> dict[str, dict[str, list[str]]]:
        """What to mark on the two drawings of `file`: removed and changed on the older version's,
        added and changed on the newer's."""
        changed = self.element_ids(CHANGED, file)
        return {"old": {"removed": self.element_ids(REMOVED, file), "changed": changed},
                "new": {"added": self.element_ids(ADDED, file), "changed": changed}}

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "from_version": self.from_version, "to_version": self.to_version,
                "empty": self.empty, "files": [c.to_dict() for c in self.files],
                "elements": [e.to_dict() for e in self.elements], "forms": [f.to_dict() for f in self.forms],
                "decisions": [d.to_dict() for d in self.decisions]}


def diff_versions(key: str, from_version: int, to_version: int, old: Iterable[SourceFile],
                  new: Iterable[SourceFile]) -> VersionDiff:
    """The changes from the files of `from_version` (`old`) to those of `to_version` (`new`)."""
    before = {(f.kind, f.filename): f for f in old}
    after = {(f.kind, f.filename): f for f in new}
    files = tuple(Change(name, kind if (kind, name) in before else None,
                         kind if (kind, name) in after else None)
                  for kind, name in sorted(before.keys() ^ after.keys(), key=lambda k: (k[1], k[0])))
    own = f"{key}.bpmn"
    drawn = sorted({name for kind, name in before.keys() | after.keys() if kind == "bpmn"},
                   key=lambda name: (name != own, name))
    diagrams = tuple(Diagram(name, ("bpmn", name) in before, ("bpmn", name) in after) for name in drawn)
    return VersionDiff(key, from_version, to_version, files, _elements(before, after), _forms(before, after),
                       _decisions(before, after), diagrams)


def _compare(old: dict[str, str], new: dict[str, str]) -> tuple[Change, ...]:
    return tuple(Change(aspect, old.get(aspect), new.get(aspect))
                 for aspect in sorted(old.keys() | new.keys()) if old.get(aspect) != new.get(aspect))


def _status(old: object | None, new: object | None) -> str:
    return ADDED if old is None else REMOVED if new is None else CHANGED


# -- BPMN elements -------------------------------------------------------------------------------

def _element_facts(files: dict[tuple[str, str], SourceFile]) -> dict[tuple[str, str], ElementFacts]:
    return {(name, element_id): facts for (kind, name), f in files.items() if kind == "bpmn"
            for element_id, facts in bpmn_elements(f.content).items()}


def _facts_map(facts: ElementFacts | None) -> dict[str, str]:
    if facts is None:
        return {}
    return {"type": facts.type, **({"name": facts.name} if facts.name else {}), **facts.aspect_map()}


def _elements(before: dict[tuple[str, str], SourceFile],
              after: dict[tuple[str, str], SourceFile]) -> tuple[ElementChange, ...]:
    old, new = _element_facts(before), _element_facts(after)
    found = []
    for place in old.keys() | new.keys():
        was, now = old.get(place), new.get(place)
        changes = _compare(_facts_map(was), _facts_map(now))
        if changes:
            shown = now or was
            assert shown is not None
            found.append(ElementChange(_status(was, now), place[1], shown.type, shown.name, place[0],
                                       changes))

    def order(change: ElementChange) -> tuple[str, int, str]:
        rank = 1 if change.type == _FLOW else 2 if change.type in _FRAME else 0
        return change.file, rank, change.element_id
    return tuple(sorted(found, key=order))


# -- forms ---------------------------------------------------------------------------------------

def _forms(before: dict[tuple[str, str], SourceFile],
           after: dict[tuple[str, str], SourceFile]) -> tuple[FormChange, ...]:
    names = sorted({name for kind, name in before.keys() | after.keys() if kind == "form"})
    found = []
    for name in names:
        was, now = before.get(("form", name)), after.get(("form", name))
        if was is not None and now is not None and was.content == now.content:
            continue
        old_form, old_fields = form_fields(was.content) if was else ({}, {})
        new_form, new_fields = form_fields(now.content) if now else ({}, {})
        fields = tuple(FieldChange(_status(old_fields.get(path), new_fields.get(path)), path,
                                   _title((new_fields.get(path) or old_fields.get(path) or {}).get("title")),
                                   changes)
                       for path in sorted(old_fields.keys() | new_fields.keys())
                       if (changes := _compare(old_fields.get(path, {}), new_fields.get(path, {}))))
        changes = _compare(old_form, new_form)
        if changes or fields or was is None or now is None:
            found.append(FormChange(_status(was, now), name, _title((new_form or old_form).get("title")),
                                    changes, fields))
    return tuple(found)


def _title(text: str | None) -> str:
    return text or ""


# -- decision tables -----------------------------------------------------------------------------

def _decision_facts(files: dict[tuple[str, str], SourceFile]) -> dict[str, tuple[str, DecisionFacts]]:
    return {decision_id: (name, facts) for (kind, name), f in sorted(files.items()) if kind == "dmn"
            for decision_id, facts in dmn_decisions(f.content).items()}


def _decisions(before: dict[tuple[str, str], SourceFile],
               after: dict[tuple[str, str], SourceFile]) -> tuple[DecisionChange, ...]:
    old, new = _decision_facts(before), _decision_facts(after)
    found = []
    for decision_id in sorted(old.keys() | new.keys()):
        was, now = old.get(decision_id), new.get(decision_id)
        changes = _compare(_table_map(was[1] if was else None), _table_map(now[1] if now else None))
        rules = _rules(was[1].rules if was else (), now[1].rules if now else ())
        if changes or rules:
            shown = now or was
            assert shown is not None
            found.append(DecisionChange(_status(was, now), decision_id, shown[1].name, shown[0], changes,
                                        rules))
    return tuple(found)


def _table_map(table: DecisionFacts | None) -> dict[str, str]:
    if table is None:
        return {}
    return {"name": table.name, "hitPolicy": table.hit_policy, "inputs": " | ".join(table.inputs),
            "outputs": " | ".join(table.outputs)}


def _rules(old: tuple[RuleFacts, ...], new: tuple[RuleFacts, ...]) -> tuple[RuleChange, ...]:
    """Rules paired by id; a rule whose id changed but whose inputs did not (a table re-saved by another
    editor) is paired by its inputs, so it shows as changed rather than removed and added."""
    old_by_id = {r.rule_id: (n, r) for n, r in enumerate(old, start=1)}
    new_by_id = {r.rule_id: (n, r) for n, r in enumerate(new, start=1)}
    pairs: list[tuple[tuple[int, RuleFacts] | None, tuple[int, RuleFacts] | None]] = [
        (old_by_id[i], new_by_id[i]) for i in new_by_id if i in old_by_id]
    lone_old = [old_by_id[i] for i in old_by_id if i not in new_by_id]
    for n, rule in [new_by_id[i] for i in new_by_id if i not in old_by_id]:
        twin = next((o for o in lone_old if o[1].inputs == rule.inputs), None)
        if twin is not None:
            lone_old.remove(twin)
        pairs.append((twin, (n, rule)))
    pairs.extend((o, None) for o in lone_old)
    found = []
    for was, now in pairs:
        old_cells = {**was[1].cells(), "id": was[1].rule_id} if was else {}
        new_cells = {**now[1].cells(), "id": now[1].rule_id} if now else {}
        changes = _compare(old_cells, new_cells)
        if changes:
            position, rule = now if now is not None else was  # type: ignore[misc]
            status = _status(was, now)
            if status == CHANGED:
                changes = tuple(c for c in changes if c.aspect != "id") or changes
            found.append(RuleChange(status, rule.rule_id, position, rule.inputs, changes))
    return tuple(sorted(found, key=lambda r: (r.position, r.status != REMOVED, r.rule_id)))

