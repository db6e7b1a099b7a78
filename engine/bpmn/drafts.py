"""A process's draft (草稿): the administrators' shared working set of its files between two versions.

The modeler, the form editor and the decision editor each save one file into the process's draft
instead of deploying it, so an added step, its new form and a changed threshold become ONE new version
when the draft is published (Camunda Web Modeler and SpiffArena keep such a working set too). There is
one draft per process, shared by every administrator, started from the latest version (`base`).

Every save checks the whole working set (the base version's files overlaid with the draft's) exactly as
deploy would (`checked_uploads`), without storing a version: a refusal names the file and the element,
and stores nothing. Publishing deploys the draft's files with `expected_version=base`, so a draft whose
base was replaced meanwhile is a Conflict and nothing is stored; it can only be discarded then.

Two administrators may edit the SAME file of the draft at once, so every file carries a revision (the
sha256 of its text in the working set, `file_revision`): an editor opens a file at a revision and sends
it with the save, and a save whose file changed in the draft since is a `FileConflict` (who changed it,
when) that stores nothing. Publishing likewise takes the (file, revision) pairs the publisher was shown:
a draft changed meanwhile is a `DraftChanged` naming the files, and nothing is published.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.access.admin import record_change, require_admin
from engine.errors import Conflict, NotFound
from engine.models import ModelDraftFile, ModelFile, ProcessDefinition, ProcessVersion, User

from .deploy import DeployResult
from .specs import SourceFile
from .versions import Upload, checked_uploads, deploy_uploads


def file_revision(content: str | None) -> str:
    """A file's revision in the working set: the sha256 of its text ("" for a file it does not have),
    which an editor opens and sends back with its save."""
    return "" if content is None else hashlib.sha256(content.encode("utf-8")).hexdigest()


class FileConflict(Conflict):
    """The file was changed in the draft after the editor opened it: saving would overwrite that change."""

    def __init__(self, key: str, filename: str, changed_by: str | None, changed_at: datetime | None):
        super().__init__(f"{key}: {filename} was changed in the draft after it was opened"
                         + (f" (by {changed_by})" if changed_by else ""))
        self.filename, self.changed_by, self.changed_at = filename, changed_by, changed_at


class DraftChanged(Conflict):
    """The draft is not what the publisher was shown: publishing would publish unseen changes."""

    def __init__(self, key: str, files: tuple[str, ...]):
        super().__init__(f"{key}: the draft changed since it was shown ({', '.join(files)})")
        self.files = files


@dataclass(frozen=True)
class DraftFile:
    filename: str
    kind: str
    changed_by: str | None
    changed_at: datetime
    #: a file the base version does not have (a new form)
    added: bool
    #: the file's revision in the draft (`file_revision`)
    revision: str = ""


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
    def revisions(self) -> dict[str, str]:
        """(file → revision) of the draft: what a publish form carries so the publish is what was shown."""
        return {f.filename: f.revision for f in self.files}

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

    def revision(self, filename: str) -> str:
        """The revision an editor opens `filename` at ("" for a file the working set does not have)."""
        found = self.files.get(filename)
        return file_revision(found.content if found else None)


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
        DraftFile(r.filename, r.kind, r.changed_by, r.changed_at, r.filename not in base_files,
                  file_revision(r.content))
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
                  base: int, roles: Collection[str] | None = None,
                  opened: Mapping[str, str] | None = None) -> Draft:
    """Put edited files into the process's draft (starting it on version `base`, the version the editor
    opened). The whole working set is validated as deploy validates it (`roles` as for
    `deploy_uploads`); a refused save stores nothing. A file saved as its base version has it leaves
    the draft again.

    Conflict when `base` is not the latest version (someone deployed meanwhile) or the draft is stale:
    a draft holds changes to one version only. `opened` maps a file to the revision the editor opened
    it at (`WorkingSet.revision`): a file changed in the draft since is a `FileConflict`, nothing stored."""
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
    stored = _version_files(session, key, base)
    for name, revision in (opened or {}).items():
        row = rows.get(name)
        current = row.content if row is not None else stored[name].content if name in stored else None
        if file_revision(current) != revision:
            raise FileConflict(key, name, row.changed_by if row else None, row.changed_at if row else None)
    working = {name: Upload(name, r.content.encode("utf-8")) for name, r in rows.items()}
    working.update({u.filename: u for u in uploads})
    files, _processes = checked_uploads(session, list(working.values()), key, roles)
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
                  roles: Collection[str] | None = None,
                  seen: Mapping[str, str] | None = None) -> DeployResult:
    """Deploy the draft's files as ONE new version on top of its base, then drop the draft. A stale
    draft is a Conflict and nothing is stored (the caller rolls back). `seen` is the draft the publisher
    was shown (`Draft.revisions`): a draft changed since is a `DraftChanged` naming the files."""
    require_admin(user)
    definition = _definition(session, key, lock=True)
    rows = _rows(session, key)
    if not rows:
        raise NotFound(f"{key} has no draft")
    base = rows[0].base_version
    if base != definition.latest_version:
        raise Conflict(f"{key}: the draft is based on version {base}, but version "
                       f"{definition.latest_version} was deployed since; discard the draft")
    if seen is not None:
        now_revisions = {r.filename: file_revision(r.content) for r in rows}
        changed = tuple(sorted(name for name in set(seen) | set(now_revisions)
                               if seen.get(name) != now_revisions.get(name)))
        if changed:
            raise DraftChanged(key, changed)
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
