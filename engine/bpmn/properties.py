"""OpsFlow's properties as a model declares them (docs/modelling.md, "The files are the source").

A process and each of its elements carry `spiffworkflow:property` entries: English names, due hours,
who starts a case, how a case is titled and keyed. SpiffWorkflow parses them only on some task kinds
(not on gateways, nor on the process), so they are read here from the XML of each version's BPMN
files, once per parsed version: what an uploaded or edited version says is what its cases get.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from lxml import etree

from engine.policy import ProcessPolicy

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
NAME_EN = "nameEn"
STARTERS = "starterRoles"


@dataclass(frozen=True)
class ModelProperties:
    """The properties of every process in a version's BPMN files (by process id) and of every
    element (by element id; the version's own process wins over the processes it calls)."""

    processes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    elements: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def of_process(self, key: str) -> Mapping[str, str]:
        return self.processes.get(key, {})

    def english_names(self) -> dict[str, str]:
        return {element: props[NAME_EN] for element, props in self.elements.items() if props.get(NAME_EN)}


def own_properties(element: etree._Element) -> dict[str, str]:
    """The `spiffworkflow:property` entries directly under this element's extension elements (not
    those of the elements inside it: a process holds its tasks)."""
    found: dict[str, str] = {}
    for ext in element.findall(f"{BPMN}extensionElements"):
        for holder in ext.findall(f"{SPIFF}properties"):
            for prop in holder.findall(f"{SPIFF}property"):
                if prop.get("name"):
                    found[prop.get("name")] = prop.get("value") or ""
    return found


def read_properties(key: str, bpmn_texts: Iterable[str]) -> ModelProperties:
    """The properties of the BPMN files of a version of process `key` (already parsed and validated
    by SpiffWorkflow, so well-formed)."""
    processes: dict[str, dict[str, str]] = {}
    elements: dict[str, dict[str, str]] = {}
    own: dict[str, dict[str, str]] = {}
    for text in bpmn_texts:
        root = etree.fromstring(text.encode("utf-8"))
        for process in root.iter(f"{BPMN}process"):
            process_id = process.get("id") or ""
            processes[process_id] = own_properties(process)
            target = own if process_id == key else elements
            for element in process.iter():
                if element is process or not isinstance(element.tag, str) or not element.get("id"):
                    continue
                props = own_properties(element)
                if props:
                    target.setdefault(element.get("id"), props)
    return ModelProperties(processes, {**elements, **own})


def listed(value: str | None) -> tuple[str, ...]:
    """A comma-separated property as its entries."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def declared_policy(key: str, props: Mapping[str, str], start_event_starters: str | None = None
                    ) -> ProcessPolicy:
    """What a process says about starting its cases. `starterRoles` on the process, else on the
    start event (the older place); neither: None, and the catalogue decides (nobody, or anyone)."""
    starters = props.get(STARTERS, start_event_starters)
    return ProcessPolicy(
        key=key, starter_roles=frozenset(listed(starters)) if starters is not None else None,
        start_store_status=props.get("startStoreStatus") or None,
        start_store_kind=props.get("startStoreKind") or None,
        title_template=props.get("titleTemplate") or None,
        business_key_prefix=props.get("businessKeyPrefix") or ProcessPolicy.business_key_prefix,
        store_list_fields=listed(props.get("storeListFields")), store_fields=listed(props.get("storeFields")))


def merged_policy(model: ProcessPolicy, catalogue: ProcessPolicy | None, closed_by_default: bool
                  ) -> ProcessPolicy:
    """The model's policy, with what a catalogue entry sets on top of it (a catalogue's hooks such as
    `on_start`, or an override a test gives). Starters said by neither: nobody when the catalogue is
    closed by default, else everybody."""
    default = ProcessPolicy(key=model.key)
    values = {}
    for name in ("starter_roles", "start_store_status", "start_store_kind", "title_template",
                 "business_key_prefix", "store_list_fields", "store_fields", "on_start"):
        given = getattr(catalogue, name) if catalogue is not None else getattr(default, name)
        values[name] = given if given != getattr(default, name) else getattr(model, name)
    if values["starter_roles"] is None and closed_by_default:
        values["starter_roles"] = frozenset()
    return ProcessPolicy(key=model.key, **values)


@dataclass(frozen=True)
class ProcessTexts:
    """What people read of a process, as its latest version names it: the process's Chinese `name`
    and `nameEn`, its `description` / `descriptionEn`, and every element's `nameEn`."""

    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    step_names_en: Mapping[str, str]


def process_texts(name_zh: str, props: Mapping[str, str], step_names_en: Mapping[str, str]) -> ProcessTexts:
    return ProcessTexts(name_zh=name_zh, name_en=props.get(NAME_EN, ""),
                        description_zh=props.get("description", ""),
                        description_en=props.get("descriptionEn", ""), step_names_en=step_names_en)


class ProcessTextBook:
    """The texts of every deployed version of every process, for a page that names steps of cases on
    several versions: a case on version 1 whose step version 2 renamed shows the name it has on
    version 1. Built from one query of the versions (`Engine.process_text_book`); a version's texts
    are read from its parsed model at the first need (`texts_of`, by version id) and kept."""

    def __init__(self, versions: Iterable[tuple[str, int, int, int]],
                 texts_of: Callable[[int], ProcessTexts]) -> None:
        self._ids: dict[tuple[str, int], int] = {}
        self._latest: dict[str, int] = {}
        self._keys: dict[int, str] = {}
        for key, number, version_id, latest in versions:
            self._ids[(key, number)] = version_id
            self._keys[version_id] = key
            if number == latest:
                self._latest[key] = version_id
        self._texts_of = texts_of
        self._read: dict[int, ProcessTexts] = {}

    def of(self, key: str, *, version: int | None = None, version_id: int | None = None
           ) -> ProcessTexts | None:
        """The texts of `key`'s version (by number or id), or of its latest version when none is
        given or the one given is not `key`'s; None when `key` is not deployed."""
        found = version_id if version_id is not None and self._keys.get(version_id) == key else (
            self._ids.get((key, version)) if version is not None else None)
        found = found if found is not None else self._latest.get(key)
        if found is None:
            return None
        if found not in self._read:
            self._read[found] = self._texts_of(found)
        return self._read[found]
