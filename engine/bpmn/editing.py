"""What the administrator's modeler opens: a process's working set (its draft over the version the
draft started from, else the latest version), the file it edits and the names its properties may pick
from (the forms and the decisions of that working set).

The modeler saves into the draft (`save_to_draft`), which validates the same working set, so what it
offers here and what the save accepts come from the same files.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy.orm import Session

from engine.models import User

from .drafts import Draft, working_set
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
    #: the process's draft, whose files these are where it has them
    draft: Draft | None = None
    #: the BPMN the modeler opens (the draft's copy when it has one)
    bpmn: str = ""
    #: the BPMN's revision in the working set, which the save sends back (`WorkingSet.revision`)
    revision: str = ""


def editor_source(session: Session, user: User, key: str) -> EditorSource:
    """The process's working set as the modeler opens it: the draft's copy of each file where there
    is a draft, else the latest version's."""
    working = working_set(session, user, key)
    files = sorted(working.files.values(), key=lambda f: f.filename)
    decisions = [d for f in files if f.kind == "dmn" for d in _decisions(f.filename, f.content)]
    bpmn_filename = f"{key}.bpmn"
    return EditorSource(key=key, name=working.name, version=working.base, bpmn_filename=bpmn_filename,
                        forms=tuple(f.filename for f in files if f.kind == "form"),
                        decisions=tuple(sorted(decisions, key=lambda d: d.id)), draft=working.draft,
                        bpmn=working.files[bpmn_filename].content, revision=working.revision(bpmn_filename))


def _decisions(filename: str, content: str) -> list[ModelDecision]:
    """The decisions a stored .dmn file defines (it was parsed at deploy, so it is well-formed)."""
    root = etree.fromstring(content.encode("utf-8"))
    return [ModelDecision(el.get("id") or "", el.get("name") or "", filename)
            for ns in DMN_NAMESPACES for el in root.iter(f"{{{ns}}}decision") if el.get("id")]
