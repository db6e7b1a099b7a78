"""Which steps of a version show a form, and a model naming a new form on one of them.

A form file is deployed only when the model names it (`formJsonSchemaFilename` on the step), so a
new form is saved together with its model: `attach_form` returns the version's BPMN with the step
naming the new file, for `deploy_uploads` to validate and store with the form in one new version.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import DeployError
from engine.models import ModelFile, ProcessDefinition, ProcessVersion, User

from .drafts import WorkingSet, working_set
from .specs import BPMN_NS, FORM_PROPERTY, SPIFF_NS
from .versions import Upload, version_file

_STEPS = ("userTask", "startEvent")


@dataclass(frozen=True)
class FormStep:
    element_id: str
    name: str
    #: the form file the step names now, if any
    form: str | None


def _root(session: Session, user: User, key: str, version: int | None) -> etree._Element:
    """The process's model: of `version`, or of its working set (its draft, if any) when None."""
    if version is None:
        content = working_set(session, user, key).files[f"{key}.bpmn"].content
    else:
        content = version_file(session, user, key, version, f"{key}.bpmn").content
    return etree.fromstring(content.encode("utf-8"))


def _form_of(element: etree._Element) -> etree._Element | None:
    path = f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"
    return next((p for p in element.iterfind(path) if p.get("name") == FORM_PROPERTY), None)


def form_steps(session: Session, user: User, key: str, version: int | None = None) -> list[FormStep]:
    """The user tasks and start events of the process's model (of its working set when `version` is
    None), in model order, with their forms."""
    return _steps(_root(session, user, key, version))


def working_form_steps(working: WorkingSet) -> list[FormStep]:
    """The steps of a working set's model (the draft's, if any), for a page that read it already."""
    return _steps(etree.fromstring(working.files[f"{working.key}.bpmn"].content.encode("utf-8")))


def _steps(root: etree._Element) -> list[FormStep]:
    steps = []
    for element in root.iter(*(f"{{{BPMN_NS}}}{name}" for name in _STEPS)):
        prop = _form_of(element)
        steps.append(FormStep(element.get("id") or "", element.get("name") or "",
                              prop.get("value") if prop is not None else None))
    return steps


def attach_form(session: Session, user: User, key: str, version: int | None, element_id: str,
                filename: str) -> Upload:
    """The version's BPMN (the working set's, for the draft, when `version` is None) with step
    `element_id` showing form `filename` (a new file: an existing one is edited in place, not attached
    again)."""
    root = _root(session, user, key, version)  # the version exists and the person may read it
    if filename in _files(session, user, key, version):
        where = f"version {version}" if version is not None else "the draft"
        raise DeployError(f"{filename}: {where} has a file of this name already; edit it instead",
                          filename=filename)
    element = next((el for el in root.iter(*(f"{{{BPMN_NS}}}{name}" for name in _STEPS))
                    if el.get("id") == element_id), None)
    if element is None:
        raise DeployError(f"{key}.bpmn, element {element_id or '—'}: no user task or start event of this id",
                          filename=f"{key}.bpmn", element=element_id or None)
    prop = _form_of(element)
    if prop is None:
        extensions = element.find(f"{{{BPMN_NS}}}extensionElements")
        if extensions is None:
            extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
            element.insert(0, extensions)
        properties = extensions.find(f"{{{SPIFF_NS}}}properties")
        if properties is None:
            properties = etree.SubElement(extensions, f"{{{SPIFF_NS}}}properties")
        prop = etree.SubElement(properties, f"{{{SPIFF_NS}}}property", name=FORM_PROPERTY)
    prop.set("value", filename)
    return Upload(f"{key}.bpmn", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _files(session: Session, user: User, key: str, version: int | None) -> set[str]:
    if version is None:
        return set(working_set(session, user, key).files)
    return set(session.scalars(select(ModelFile.filename).join(ProcessVersion).join(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessVersion.version == version)))
