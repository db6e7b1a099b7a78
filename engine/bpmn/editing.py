"""What the administrator's modeler opens: a process's current version, the file it edits and the
names its properties may pick from (the forms and the decisions of that version).

The modeler saves through `deploy_uploads(..., expected_version=<the version opened>)`, so what it
offers here and what deploy accepts come from the same stored version.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import require_admin
from engine.errors import NotFound
from engine.models import ModelFile, ProcessDefinition, ProcessVersion, User

from .specs import DMN_NAMESPACES


@dataclass(frozen=True)
class ModelDecision:
    id: str
    name: str
    filename: str


@dataclass(frozen=True)
class EditorSource:
    key: str
    name: str
    version: int
    #: the file the modeler opens and saves (`<key>.bpmn`)
    bpmn_filename: str
    #: the form files of the version, which a start event or user task may name
    forms: tuple[str, ...]
    #: the decisions of the version's .dmn files, which a business rule task may call
    decisions: tuple[ModelDecision, ...]


def editor_source(session: Session, user: User, key: str) -> EditorSource:
    """The current version of process `key` as the modeler opens it."""
    require_admin(user)
    found = session.execute(select(ProcessDefinition, ProcessVersion).join(
        ProcessVersion, (ProcessVersion.definition_id == ProcessDefinition.id)
        & (ProcessVersion.version == ProcessDefinition.latest_version))
        .where(ProcessDefinition.key == key)).first()
    if found is None:
        raise NotFound(f"no process {key!r} is deployed")
    definition, version = found
    files = list(session.execute(select(ModelFile.kind, ModelFile.filename, ModelFile.content)
                                 .where(ModelFile.version_id == version.id).order_by(ModelFile.filename)))
    decisions = [d for kind, filename, content in files if kind == "dmn"
                 for d in _decisions(filename, content)]
    return EditorSource(key=key, name=definition.name, version=version.version, bpmn_filename=f"{key}.bpmn",
                        forms=tuple(filename for kind, filename, _ in files if kind == "form"),
                        decisions=tuple(sorted(decisions, key=lambda d: d.id)))


def _decisions(filename: str, content: str) -> list[ModelDecision]:
    """The decisions a stored .dmn file defines (it was parsed at deploy, so it is well-formed)."""
    root = etree.fromstring(content.encode("utf-8"))
    return [ModelDecision(el.get("id") or "", el.get("name") or "", filename)
            for ns in DMN_NAMESPACES for el in root.iter(f"{{{ns}}}decision") if el.get("id")]
