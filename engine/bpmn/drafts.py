"""A process's draft (草稿): the administrators' shared working set of its files between two versions.

The modeler, the form editor and the decision editor each save one file into the process's draft
instead of deploying it, so an added step, its new form and a changed threshold become ONE new version
when the draft is published (Camunda Web Modeler and SpiffArena keep such a working set too). There is
one draft per process, shared by every administrator, started from the latest version (`base`).

Every save checks the whole working set (the base version's files overlaid with the draft's) exactly as
deploy would (`checked_uploads`), without storing a version: a refusal names the file and the element,
and stores nothing. Publishing deploys the draft's files with `expected_version=base`, so a draft whose
base was replaced meanwhile is a Conflict and nothing is stored; it can only be discarded then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.access.admin import record_change, require_admin
from engine.errors import Conflict, NotFound
from engine.models import ModelDraftFile, ModelFile, ProcessDefinition, ProcessVersion, User

from .deploy import DeployResult
from .specs import SourceFile
from .versions import Upload, checked_uploads, deploy_uploads


@dataclass(frozen=True)
class DraftFile:
    filename: str
    kind: str
    changed_by: str | None
    changed_at: datetime
    #: a file the base version does not have (a new form)
    added: bool


@dataclass(frozen=True)
class Draft:
    key: str
    #: the version the draft was started from
    base: int
    #: the process's latest version: another than `base` means the draft is stale
    latest: int
    files: tuple[DraftFile, ...]

    @property
    def stale(self) -> bool:
        return self.base != self.latest

    @property
    def last(self) -> DraftFile:
        """The file changed last: who changed the draft last, and when."""
        return max(self.files, key=lambda f: f.changed_at)


@dataclass(frozen=True)
class WorkingSet:
    key: str
    name: str
    #: the version the files are from: the draft's base, else the latest version
    base: int
    #: every file, the draft's copy where the draft has one
    files: dict[str, SourceFile]
    draft: Draft | None


def _definition(session: Session, key: str, lock: bool = False) -> ProcessDefinition:
    query = select(ProcessDefinition).where(ProcessDefinition.key == key)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no process {key!r} is deployed")
    return found


def _version_files(session: Session, key: str, version: int) -> dict[str, SourceFile]:
    rows = session.execute(select(ModelFile.kind, ModelFile.filename, ModelFile.content)
                           .join(ProcessVersion).join(ProcessDefinition)
                           .where(ProcessDefinition.key == key, ProcessVersion.version == version))
    return {filename: SourceFile(kind, filename, content) for kind, filename, content in rows}


def _rows(session: Session, key: str) -> list[ModelDraftFile]:
    return list(session.scalars(select(ModelDraftFile).where(ModelDraftFile.process_key == key)
                                .order_by(ModelDraftFile.filename)))


def _draft(key: str, latest: int, rows: list[ModelDraftFile], base_files: Collection[str]) -> Draft | None:
    if not rows:
        return None
    return Draft(key, rows[0].base_version, latest, tuple(
        DraftFile(r.filename, r.kind, r.changed_by, r.changed_at, r.filename not in base_files)
        for r in rows))


def working_set(session: Session, user: User, key: str) -> WorkingSet:
    """What the editors open: the draft's files over the version it was started from, or the latest
    version's files when there is no draft."""
    require_admin(user)
    definition = _definition(session, key)
    rows = _rows(session, key)
    base = rows[0].base_version if rows else definition.latest_version
    files = _version_files(session, key, base)
    draft = _draft(key, definition.latest_version, rows, files)
    files.update({r.filename: SourceFile(r.kind, r.filename, r.content) for r in rows})
    return WorkingSet(key, definition.name, base, files, draft)


def process_draft(session: Session, user: User, key: str) -> Draft | None:
    """The process's draft, if someone started one (NotFound for a process not deployed): what the
    model page shows, without the files' contents."""
    require_admin(user)
    definition = _definition(session, key)
    rows = _rows(session, key)
    if not rows:
        return None
    names = session.scalars(select(ModelFile.filename).join(ProcessVersion).where(
        ProcessVersion.definition_id == definition.id, ProcessVersion.version == rows[0].base_version))
    return _draft(key, definition.latest_version, rows, set(names))


def save_to_draft(session: Session, user: User, key: str, uploads: list[Upload], now: datetime,
                  base: int, roles: Collection[str] | None = None) -> Draft:
    """Put edited files into the process's draft (starting it on version `base`, the version the editor
    opened). The whole working set is validated as deploy validates it (`roles` as for
    `deploy_uploads`); a refused save stores nothing. A file saved as its base version has it leaves
    the draft again.

    Conflict when `base` is not the latest version (someone deployed meanwhile) or the draft is stale:
    a draft holds changes to one version only."""
    require_admin(user)
    definition = _definition(session, key, lock=True)  # two admins' saves into one draft take turns
    rows = {r.filename: r for r in _rows(session, key)}
    draft_base = next(iter(rows.values())).base_version if rows else None
    if draft_base is not None and draft_base != definition.latest_version:
        raise Conflict(f"{key}: the draft is based on version {draft_base}, but version "
                       f"{definition.latest_version} was deployed since; discard the draft")
    if base != definition.latest_version:
        raise Conflict(f"{key}: version {definition.latest_version} was deployed after version {base} was "
                       f"opened; open version {definition.latest_version} and make the change again")
    working = {name: Upload(name, r.content.encode("utf-8")) for name, r in rows.items()}
    working.update({u.filename: u for u in uploads})
    files, _processes = checked_uploads(session, list(working.values()), key, roles)
    stored = _version_files(session, key, base)
    saved = {f.filename: f for f in files if f.filename in {u.filename for u in uploads}}
    for name, source in saved.items():
        row = rows.get(name)
        if name in stored and stored[name].content == source.content:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = ModelDraftFile(process_key=key, base_version=base, filename=name)
            session.add(row)
        row.kind, row.content = source.kind, source.content
        row.changed_by, row.changed_at = user.username, now
    session.flush()
    record_change(session, user, "model_draft_saved", key, {"base": base, "files": sorted(saved)}, now)
    return _draft(key, definition.latest_version, _rows(session, key), stored) or Draft(
        key, base, definition.latest_version, ())


def publish_draft(session: Session, user: User, key: str, now: datetime,
                  roles: Collection[str] | None = None) -> DeployResult:
    """Deploy the draft's files as ONE new version on top of its base, then drop the draft. A stale
    draft is a Conflict and nothing is stored (the caller rolls back)."""
    require_admin(user)
    definition = _definition(session, key, lock=True)
    rows = _rows(session, key)
    if not rows:
        raise NotFound(f"{key} has no draft")
    base = rows[0].base_version
    if base != definition.latest_version:
        raise Conflict(f"{key}: the draft is based on version {base}, but version "
                       f"{definition.latest_version} was deployed since; discard the draft")
    uploads = [Upload(r.filename, r.content.encode("utf-8")) for r in rows]
    [result] = deploy_uploads(session, user, uploads, now, key=key, roles=roles, expected_version=base)
    session.execute(delete(ModelDraftFile).where(ModelDraftFile.process_key == key))
    record_change(session, user, "model_draft_published", key,
                  {"base": base, "version": result.version, "files": [r.filename for r in rows]}, now)
    return result


def discard_draft(session: Session, user: User, key: str, now: datetime) -> None:
    """Drop the process's draft (every administrator's changes in it)."""
    require_admin(user)
    _definition(session, key, lock=True)
    rows = _rows(session, key)
    if not rows:
        raise NotFound(f"{key} has no draft")
    session.execute(delete(ModelDraftFile).where(ModelDraftFile.process_key == key))
    record_change(session, user, "model_draft_discarded", key,
                  {"base": rows[0].base_version, "files": [r.filename for r in rows]}, now)
