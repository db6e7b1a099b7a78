"""Parsing model files into SpiffWorkflow specs, and the per-version cache of parsed specs.

A version's files are parsed once per process and kept in memory: every command on an instance
reuses the spec objects of its version instead of restoring them from the serialized state.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.errors import DeployError, NotFound
from engine.models import ProcessVersion
from engine.policy import ProcessPolicy

from .properties import ModelProperties, declared_policy, read_properties
from .service_tasks import wait_at_service_tasks

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "http://www.omg.org/spec/DMN/20151101/dmn.xsd")
FORM_PROPERTY = "formJsonSchemaFilename"
STARTERS_PROPERTY = "starterRoles"  # on the start event: the roles that may start a case, comma-separated


@dataclass(frozen=True)
class SourceFile:
    kind: str  # bpmn, dmn, form
    filename: str
    content: str


@dataclass
class ParsedProcess:
    """What the engine needs of one process version at run time."""

    key: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: OpsFlow's properties of the process and its elements, read from the version's BPMN
    properties: ModelProperties = field(default_factory=ModelProperties)
    #: What callers derive from a version's elements and keep for as long as the version is parsed
    #: (a version never changes), by what and element id: the 待办 list's decision offers
    derived: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def all_specs(self) -> list[BpmnProcessSpec]:
        """The process's own spec, then those of the processes its call activities call (another
        file's shared sub-process: its steps are the case's steps)."""
        return [self.spec, *self.subprocess_specs.values()]

    def element(self, element_id: str) -> Any:
        """The task spec of a BPMN element, in the process or a called one. For a multi-instance task
        that is the spec of its instances: the wrapper SpiffWorkflow puts in its place has neither
        lane nor extensions."""
        for process_spec in self.all_specs():
            spec = process_spec.task_specs.get(element_id)
            if isinstance(spec, LoopTask):
                return process_spec.task_specs.get(spec.task_spec, spec)
            if spec is not None:
                return spec
        return None

    def form_for(self, element_id: str) -> dict[str, Any] | None:
        """The form of a user task; a multi-instance task keeps its properties on its child spec."""
        for spec in (self.element(element_id), self.element(f"{element_id} [child]")):
            filename = form_filename(spec) if spec is not None else None
            if filename:
                return self.forms.get(filename)
        return None

    def start_form(self) -> dict[str, Any] | None:
        for spec in self.spec.task_specs.values():
            filename = form_filename(spec) if type(spec).__name__ == "StartEvent" else None
            if filename:
                return self.forms.get(filename)
        return None

    def element_names(self) -> dict[str, str]:
        """Element id → the name the model gives it (Chinese): histories name the steps of past events
        without the web layer reading spec objects."""
        names: dict[str, str] = {}
        for process_spec in reversed(self.all_specs()):  # the process's own names win
            names.update({spec.bpmn_id: spec.bpmn_name for spec in process_spec.task_specs.values()
                          if getattr(spec, "bpmn_id", None) and getattr(spec, "bpmn_name", None)})
        return names

    def message_names(self) -> frozenset[str]:
        """The messages a step of this process (or of its subprocesses) waits for, by name."""
        processes = [self.spec, *self.subprocess_specs.values()]
        return frozenset(spec.event_definition.name for process in processes
                         for spec in process.task_specs.values()
                         if isinstance(spec, CatchingEvent)
                         and isinstance(spec.event_definition, MessageEventDefinition))

    def starter_roles(self) -> frozenset[str] | None:
        """The roles the model lets start a case (`starterRoles` on the process, else on its start
        event); None: not said."""
        return self.declared_policy().starter_roles

    def declared_policy(self) -> ProcessPolicy:
        """Who starts a case, how it is titled and keyed, as this version's process properties say."""
        starts = [spec for spec in self.spec.task_specs.values() if type(spec).__name__ == "StartEvent"]
        start_starters = next((task_property(s, STARTERS_PROPERTY) for s in starts
                               if task_property(s, STARTERS_PROPERTY) is not None), None)
        return declared_policy(self.key, self.properties.of_process(self.key), start_starters)

    def process_properties(self) -> dict[str, str]:
        """The process's own properties (`nameEn`, `description`, ...)."""
        return dict(self.properties.of_process(self.key))

    def english_names(self) -> dict[str, str]:
        """Element id → its `nameEn`, the called processes' elements too (their steps are the case's)."""
        return self.properties.english_names()


def form_filename(task_spec: Any) -> str | None:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get(FORM_PROPERTY)


def task_property(task_spec: Any, name: str) -> str | None:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get(name)


#: A user task property: once the step is done, the case cannot be withdrawn or sent back past it.
POINT_OF_NO_RETURN = "pointOfNoReturn"


def point_of_no_return(workflow: Any) -> Any | None:
    """The latest completed step marked as a point of no return (after the refund is paid, say), or
    None while the case may still be withdrawn and sent back to any earlier step."""
    passed = [t for t in workflow.get_tasks(state=TaskState.COMPLETED)
              if (task_property(t.task_spec, POINT_OF_NO_RETURN) or "").lower() in ("true", "1", "yes")]
    return max(passed, key=lambda t: t.last_state_change) if passed else None


def owner_id(el: etree._Element) -> str | None:
    """The id of the model element a piece of XML belongs to: the task, the event, the sequence flow
    (not its extension elements, event definition or loop characteristics, which may have ids too)."""
    for node in el.iterancestors():
        name = etree.QName(node).localname
        if node.get("id") and not name.endswith(("EventDefinition", "LoopCharacteristics",
                                                 "extensionElements", "serviceTaskOperator")):
            return node.get("id")
    return None


def _deploy_error(exc: ValidationException, default_file: str) -> DeployError:
    element = exc.id or exc.name or exc.tag or None
    filename = exc.file_name or default_file
    where = f"{filename}"
    if exc.line_number:
        where += f", line {exc.line_number}"
    if element:
        where += f", element {element}"
    return DeployError(f"{where}: {str(exc).strip()}", filename=filename, element=element,
                       line=exc.line_number or None, reason="invalid_bpmn",
                       params={"detail": str(exc).strip()})


def parse_process(key: str, files: Iterable[SourceFile]) -> ParsedProcess:
    """Parse and validate one process from its files; raise DeployError naming file and element."""
    files = list(files)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    bpmn_name = next((f.filename for f in files if f.kind == "bpmn" and f.filename == f"{key}.bpmn"),
                     next((f.filename for f in files if f.kind == "bpmn"), f"{key}.bpmn"))
    for f in files:
        if f.kind not in ("bpmn", "dmn"):
            continue
        try:
            if f.kind == "bpmn":
                parser.add_bpmn_str(f.content.encode("utf-8"), filename=f.filename)
            else:
                parser.add_dmn_str(f.content.encode("utf-8"), filename=f.filename)
        except ValidationException as exc:
            raise _deploy_error(exc, f.filename) from None
        except etree.XMLSyntaxError as exc:
            raise DeployError(f"{f.filename}, line {exc.lineno}: not well-formed XML: {exc.msg}",
                              filename=f.filename, line=exc.lineno, reason="not_xml",
                              params={"detail": str(exc.msg)}) from None
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _deploy_error(exc, bpmn_name) from None
    except KeyError:
        raise DeployError(f"{bpmn_name}: no executable process with id {key!r}",
                          filename=bpmn_name, element=key, reason="no_process", params={"key": key}) from None
    wait_at_service_tasks([spec, *subprocess_specs.values()])
    forms: dict[str, dict[str, Any]] = {}
    for f in files:
        if f.kind == "form":
            try:
                forms[f.filename] = json.loads(f.content)
            except json.JSONDecodeError as exc:
                raise DeployError(f"{f.filename}, line {exc.lineno}: invalid JSON: {exc.msg}",
                                  filename=f.filename, line=exc.lineno, reason="invalid_json",
                                  params={"detail": str(exc.msg)}) from None
    for process_spec in (spec, *subprocess_specs.values()):
        file = process_spec.file or bpmn_name
        for task_spec in process_spec.task_specs.values():
            filename = form_filename(task_spec)
            if filename and filename not in forms:
                raise DeployError(f"{file}, element {task_spec.bpmn_id}: form {filename!r} not found",
                                  filename=file, element=task_spec.bpmn_id, reason="form_not_found",
                                  params={"form": filename})
            if isinstance(task_spec, UserTask) and not getattr(task_spec, "lane", None):
                raise DeployError(f"{file}, element {task_spec.bpmn_id}: user task is in no lane "
                                  "(the lane names the role that does it)",
                                  filename=file, element=task_spec.bpmn_id, reason="no_lane")
    _check_called_steps(spec, subprocess_specs, bpmn_name)
    properties = read_properties(key, [f.content for f in files if f.kind == "bpmn"])
    return ParsedProcess(key=key, name=spec.description or key, spec=spec,
                         subprocess_specs=subprocess_specs, forms=forms, properties=properties)


def _check_called_steps(spec: BpmnProcessSpec, called: dict[str, BpmnProcessSpec], bpmn_name: str) -> None:
    """A called process's user tasks become the case's tasks, known by element id alone (their rows,
    forms, due times): an id may name one user task across the caller and everything it calls."""
    owner: dict[str, str] = {}
    for process_spec in (spec, *called.values()):
        file = process_spec.file or bpmn_name
        for task_spec in process_spec.task_specs.values():
            if not isinstance(task_spec, UserTask):
                continue
            other = owner.setdefault(task_spec.bpmn_id, file)
            if other != file:
                raise DeployError(f"{file}, element {task_spec.bpmn_id}: a user task of {other} has the same "
                                  f"id; a called process's steps need ids of their own",
                                  filename=file, element=task_spec.bpmn_id, reason="callee_step_clash",
                                  params={"file": other})


_parsed_by_content: dict[tuple[str, str], ParsedProcess] = {}
_parsed_lock = threading.Lock()


def parse_process_cached(key: str, files: Iterable[SourceFile]) -> ParsedProcess:
    """Parse once per distinct set of files in this process, whichever engine or deploy asks.

    Parsed specs are never mutated while running, so engines (and tests) may share them.
    """
    import hashlib
    files = list(files)
    digest = hashlib.sha256("\x00".join(f"{f.kind}\x00{f.filename}\x00{f.content}"
                                         for f in sorted(files, key=lambda f: (f.kind, f.filename)))
                            .encode("utf-8")).hexdigest()
    found = _parsed_by_content.get((key, digest))
    if found is None:
        found = parse_process(key, files)
        with _parsed_lock:
            if len(_parsed_by_content) > 256:
                _parsed_by_content.clear()
            _parsed_by_content[(key, digest)] = found
    return found


def version_policy(session: Session, version_id: int) -> ProcessPolicy:
    """What a deployed version declares about starting its cases (title, key prefix, starters, store
    rules): for code that writes cases without an engine (the history seeder)."""
    version = session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound(f"process version {version_id} does not exist")
    files = [SourceFile(f.kind, f.filename, f.content) for f in version.files]
    return parse_process_cached(version.definition.key, files).declared_policy()


class SpecCache:
    """Parsed processes by version id; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, ParsedProcess] = {}

    def get(self, version_id: int) -> ParsedProcess | None:
        return self._items.get(version_id)

    def put(self, version_id: int, parsed: ParsedProcess) -> ParsedProcess:
        with self._lock:
            return self._items.setdefault(version_id, parsed)

    def load(self, session: Session, version_id: int) -> ParsedProcess:
        """Parse the stored files of a version and keep the result (NotFound for an unknown version)."""
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"process version {version_id} does not exist")
        files = [SourceFile(f.kind, f.filename, f.content) for f in version.files]
        return self.put(version_id, parse_process_cached(version.definition.key, files))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
