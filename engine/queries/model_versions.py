"""A process's versions as the administrators' API lists them, and the difference between two of them.

The diff itself is worked out by `engine.bpmn.version_diff` from the stored files; this module finds
the two versions (NotFound naming the one that is missing) and checks who asks: only administrators
see a process's model.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import require_admin
from engine.bpmn import SourceFile, VersionDiff, diff_versions, process_versions
from engine.errors import NotFound
from engine.models import ModelFile, ProcessDefinition, ProcessVersion, User


@dataclass(frozen=True)
class VersionEntry:
    """One version: who deployed it when, its files, and the cases on it."""

    version: int
    current: bool
    deployed_at: datetime
    deployed_by: str | None
    checksum: str
    files: tuple[tuple[str, str], ...]  # (kind, filename), by file name
    running: int
    cases: int

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "current": self.current,
                "deployed_at": self.deployed_at.isoformat(), "deployed_by": self.deployed_by,
                "checksum": self.checksum, "files": [{"kind": k, "filename": f} for k, f in self.files],
                "running": self.running, "cases": self.cases}


def version_list(session: Session, user: User, key: str) -> list[VersionEntry]:
    """Every version of the process, newest first (NotFound for a process never deployed)."""
    summary, history, _files = process_versions(session, user, key)
    files: dict[int, list[tuple[str, str]]] = {}
    for number, kind, filename in session.execute(
            select(ProcessVersion.version, ModelFile.kind, ModelFile.filename)
            .join(ModelFile, ModelFile.version_id == ProcessVersion.id).join(ProcessDefinition)
            .where(ProcessDefinition.key == key).order_by(ModelFile.filename, ModelFile.kind)):
        files.setdefault(number, []).append((kind, filename))
    latest = summary.latest.version if summary.latest else None
    return [VersionEntry(v.version, v.version == latest, v.deployed_at, v.deployed_by, v.checksum,
                         tuple(files.get(v.version, ())), v.running, v.cases) for v in history]


def version_diff(session: Session, user: User, key: str, from_version: int, to_version: int) -> VersionDiff:
    """What changed from `from_version` to `to_version` of the process (either may be the older)."""
    require_admin(user)
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if definition is None:
        raise NotFound(f"no process {key!r} is deployed")
    return diff_versions(key, from_version, to_version, _files(session, definition, from_version),
                         _files(session, definition, to_version))


def _files(session: Session, definition: ProcessDefinition, number: int) -> list[SourceFile]:
    version_id = session.scalar(select(ProcessVersion.id).where(
        ProcessVersion.definition_id == definition.id, ProcessVersion.version == number))
    if version_id is None:
        raise NotFound(f"{definition.key} has no version {number}")
    rows = session.execute(select(ModelFile.kind, ModelFile.filename, ModelFile.content)
                           .where(ModelFile.version_id == version_id))
    return [SourceFile(kind, filename, content) for kind, filename, content in rows]
