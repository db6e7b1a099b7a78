"""What the administrator's model pages need: the deployed processes, their versions and the cases
on each, the stored files of a version, and deploying files uploaded through the browser.

An upload is for one process (its page) or for the processes whose .bpmn files it carries, and it
need not carry a whole process: the files it does not replace are taken from the process's current
version, so a changed form or decision table alone makes a new version. Form names repeat across
processes (every process has a `start.json`), which is why an upload never reaches a process it does
not name. Everything is validated as `deploy` does (nothing is stored when any file is refused), and
a file the upload carries but no named process uses is refused too, rather than silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Collection

from SpiffWorkflow.spiff.specs.defaults import UserTask
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager, defer

from engine.access.admin import record_change, require_admin
from engine.errors import Conflict, DeployError, NotFound
from engine.models import CalledVersion, ModelFile, ProcessDefinition, ProcessInstance, ProcessVersion, User

from .approvals import APPROVER_ROLE
from .deploy import DeployResult, collect, deploy, validate
from .specs import STARTERS_PROPERTY, ParsedProcess, SourceFile, task_property

MAX_FILE_BYTES = 2 * 1024 * 1024
_KINDS = {"bpmn": "bpmn", "dmn": "dmn", "json": "form"}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$")


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class VersionSummary:
    version: int
    deployed_at: datetime
    deployed_by: str | None
    checksum: str
    files: int
    running: int
    cases: int
    #: the shared sub-processes it calls, with the version of each it was deployed with
    calls: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ProcessSummary:
    key: str
    name: str
    latest: VersionSummary | None
    versions: int
    running: int


def list_processes(session: Session, user: User) -> list[ProcessSummary]:
    """Every deployed process with its current version and how many of its cases are running."""
    require_admin(user)
    versions = _version_summaries(session, None)
    return [_summary(d, versions.get(d.id, []))
            for d in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key))]


def process_versions(session: Session, user: User, key: str) -> tuple[ProcessSummary, list[VersionSummary],
                                                                      list[ModelFile]]:
    """One process: its versions, newest first, and the files of its current version."""
    require_admin(user)
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if definition is None:
        raise NotFound(f"no process {key!r} is deployed")
    own = sorted(_version_summaries(session, definition.id).get(definition.id, []), key=lambda v: -v.version)
    files = list(session.scalars(select(ModelFile).join(ProcessVersion).where(
        ProcessVersion.definition_id == definition.id, ProcessVersion.version == definition.latest_version)
        .options(defer(ModelFile.content)).order_by(ModelFile.kind, ModelFile.filename)))
    return _summary(definition, own), own, files


def _summary(definition: ProcessDefinition, versions: list[VersionSummary]) -> ProcessSummary:
    latest = next((v for v in versions if v.version == definition.latest_version), None)
    return ProcessSummary(definition.key, definition.name, latest, len(versions),
                          sum(v.running for v in versions))


def version_file(session: Session, user: User, key: str, version: int, filename: str) -> ModelFile:
    require_admin(user)
    found = session.scalar(select(ModelFile).join(ProcessVersion).join(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessVersion.version == version, ModelFile.filename == filename))
    if found is None:
        raise NotFound(f"{key} version {version} has no file {filename!r}")
    return found


def deploy_uploads(session: Session, user: User, uploads: list[Upload], now: datetime,
                   key: str | None = None, roles: Collection[str] | None = None,
                   expected_version: int | None = None) -> list[DeployResult]:
    """Deploy uploaded files as new versions of process `key`, or of the processes whose .bpmn files
    the upload carries when no key is given. With `roles` (the catalogue's role keys), a user task
    whose lane is not one of them is refused: nobody could ever be given it.

    An editor passes `expected_version`, the version it opened: when the process's latest version is
    another one by now (someone saved meanwhile), Conflict is raised and nothing is stored, so a save
    never silently overwrites a change it did not see."""
    require_admin(user)
    if expected_version is not None:
        _check_expected(session, key, expected_version)
    files, processes = checked_uploads(session, uploads, key, roles)
    results = deploy(session, processes, now=now, deployed_by=user.username)
    for r in results:
        if r.created:
            own = {(f.kind, f.filename) for f in processes[r.key]}
            uploaded_here = sorted(f.filename for f in files if (f.kind, f.filename) in own)
            record_change(session, user, "model_deployed", r.key,
                          {"version": r.version, "uploaded": uploaded_here}, now)
    return results


def checked_uploads(session: Session, uploads: list[Upload], key: str | None,
                    roles: Collection[str] | None) -> tuple[list[SourceFile], dict[str, list[SourceFile]]]:
    """The uploaded files, and each process they reach with its whole set of files (the uploaded ones
    over its current version's), every one validated as deploy validates it; nothing is stored. A
    draft's save checks its working set with this, and publishing deploys the same set."""
    files = _read(uploads)
    bpmns = {f.filename.rsplit(".", 1)[0]: f for f in files if f.kind == "bpmn"}
    if key is not None:
        strangers = [f"{k}.bpmn" for k in bpmns if k != key]
        if strangers:
            raise DeployError(f"{', '.join(strangers)}: this page deploys process {key!r} only "
                              f"(its file is {key}.bpmn)", filename=strangers[0], reason="other_process",
                              params={"key": key, "file": f"{key}.bpmn"})
        keys = [key]
    elif bpmns:
        keys = sorted(bpmns)
    else:
        raise DeployError(f"{files[0].filename}: choose the process's .bpmn file too, or upload this file on "
                          f"the page of the process it belongs to", filename=files[0].filename,
                          reason="bpmn_needed")
    current = _current_files(session, keys)
    if key is not None and key not in current and key not in bpmns:
        raise NotFound(f"no process {key!r} is deployed")
    uploaded = {f.filename: f for f in files if f.kind != "bpmn"}
    processes: dict[str, list[SourceFile]] = {}
    for process in keys:
        stored = {f.filename: f for f in current.get(process, [])}
        bpmn = bpmns.get(process) or stored[f"{process}.bpmn"]
        dmns = [f for f in {**stored, **uploaded}.values() if f.kind == "dmn"]

        def form(_key: str, name: str, stored: dict[str, SourceFile] = stored) -> SourceFile | None:
            found = uploaded.get(name) or stored.get(name)
            return found if found is not None and found.kind == "form" else None

        processes.update(collect([bpmn], dmns, form, "in the upload or the current version",
                                 lambda callee: _current_files(session, [callee]).get(callee)))
    used = {(f.kind, f.filename) for group in processes.values() for f in group}
    unused = [f.filename for f in files if (f.kind, f.filename) not in used]
    if unused:
        raise DeployError(f"{', '.join(unused)}: not used by {', '.join(keys)}; a form or decision table "
                          f"must be named in the process's model", filename=unused[0], reason="file_unused",
                          params={"keys": ", ".join(keys)})
    for process, group in processes.items():
        parsed = validate(process, group)
        if roles is not None:
            _check_lanes(process, parsed, roles)
    return files, processes


def _check_expected(session: Session, key: str | None, expected: int) -> None:
    """The process's latest version is still `expected` (its row locked till the transaction ends, so
    two concurrent saves of the same version cannot both pass)."""
    if key is None:
        raise ValueError("expected_version needs the key of the process")
    latest = session.scalar(select(ProcessDefinition.latest_version).where(ProcessDefinition.key == key)
                            .with_for_update())
    if latest is None:
        raise NotFound(f"no process {key!r} is deployed")
    if latest != expected:
        raise Conflict(f"{key}: version {latest} was deployed after version {expected} was opened; "
                       f"open version {latest} and make the change again")


def _check_lanes(key: str, parsed: ParsedProcess, roles: Collection[str]) -> None:
    """Every lane with user tasks, and every role named as a starter or approver, must be a role people
    hold."""
    known = ", ".join(sorted(roles))
    for spec in parsed.spec.task_specs.values():
        lane = getattr(spec, "lane", None)
        if isinstance(spec, UserTask) and lane and lane not in roles:
            raise DeployError(f"{key}.bpmn, element {spec.bpmn_id}: lane {lane!r} is not a role "
                              f"(roles: {known})", filename=f"{key}.bpmn", element=spec.bpmn_id,
                              reason="lane_not_role", params={"lane": str(lane), "roles": known})
        for named in (STARTERS_PROPERTY, APPROVER_ROLE):
            listed = task_property(spec, named)
            unknown = sorted({r.strip() for r in (listed or "").split(",") if r.strip()} - set(roles))
            if unknown:
                raise DeployError(f"{key}.bpmn, element {spec.bpmn_id}: {named} names "
                                  f"{', '.join(unknown)}, not a role (roles: {known})",
                                  filename=f"{key}.bpmn", element=spec.bpmn_id, reason="role_unknown",
                                  params={"prop": named, "names": ", ".join(unknown), "roles": known})


def _read(uploads: list[Upload]) -> list[SourceFile]:
    if not uploads:
        raise DeployError("choose at least one .bpmn, .dmn or .json file", reason="no_files")
    files, seen = [], set()
    for upload in uploads:
        name = upload.filename
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if not _SAFE_NAME.match(name) or extension not in _KINDS:
            raise DeployError(f"{name}: only .bpmn, .dmn and .json files with plain names (letters, digits, "
                              f"_ . -) can be deployed", filename=name, reason="file_name")
        if name in seen:
            raise DeployError(f"{name}: chosen twice", filename=name, reason="chosen_twice")
        seen.add(name)
        if len(upload.content) > MAX_FILE_BYTES:
            raise DeployError(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", filename=name,
                              reason="too_large", params={"mb": str(MAX_FILE_BYTES // (1024 * 1024))})
        try:
            text = upload.content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DeployError(f"{name}: not UTF-8 text (byte {exc.start})", filename=name, reason="not_utf8",
                              params={"byte": str(exc.start)}) from None
        files.append(SourceFile(_KINDS[extension], name, text))
    return files


def _current_files(session: Session, keys: list[str]) -> dict[str, list[SourceFile]]:
    """The files of the current version of each of these processes (those deployed)."""
    rows = session.execute(
        select(ProcessDefinition.key, ModelFile.kind, ModelFile.filename, ModelFile.content)
        .join(ProcessVersion, ProcessVersion.definition_id == ProcessDefinition.id)
        .join(ModelFile, ModelFile.version_id == ProcessVersion.id)
        .where(ProcessVersion.version == ProcessDefinition.latest_version, ProcessDefinition.key.in_(keys)))
    result: dict[str, list[SourceFile]] = {}
    for key, kind, filename, content in rows:
        result.setdefault(key, []).append(SourceFile(kind, filename, content))
    return result


def _version_summaries(session: Session, definition_id: int | None) -> dict[int, list[VersionSummary]]:
    cases = (select(ProcessInstance.version_id, func.count().label("cases"),
                    func.sum(case((ProcessInstance.status == "running", 1), else_=0)).label("running"))
             .group_by(ProcessInstance.version_id).subquery())
    files = (select(ModelFile.version_id, func.count().label("files"))
             .group_by(ModelFile.version_id).subquery())
    query = (select(ProcessVersion, func.coalesce(cases.c.cases, 0), func.coalesce(cases.c.running, 0),
                    func.coalesce(files.c.files, 0))
             .outerjoin(cases, cases.c.version_id == ProcessVersion.id)
             .outerjoin(files, files.c.version_id == ProcessVersion.id))
    calls: dict[int, list[tuple[str, int]]] = {}
    if definition_id is not None:
        query = query.where(ProcessVersion.definition_id == definition_id)
        callee = ProcessVersion.__table__.alias("callee")
        for caller_id, key, number in session.execute(
                select(CalledVersion.caller_version_id, CalledVersion.callee_key, callee.c.version)
                .join(callee, callee.c.id == CalledVersion.callee_version_id)
                .join(ProcessVersion, ProcessVersion.id == CalledVersion.caller_version_id)
                .where(ProcessVersion.definition_id == definition_id).order_by(CalledVersion.callee_key)):
            calls.setdefault(caller_id, []).append((key, number))
    result: dict[int, list[VersionSummary]] = {}
    for version, total, running, count in session.execute(query):
        result.setdefault(version.definition_id, []).append(VersionSummary(
            version.version, version.deployed_at, version.deployed_by, version.checksum, int(count),
            int(running), int(total), tuple(calls.get(version.id, ()))))
    return result


def latest_version(session: Session, process_key: str) -> ProcessVersion:
    """The version a new case of the process starts on (NotFound when none is deployed)."""
    version = session.scalar(
        select(ProcessVersion).join(ProcessDefinition).options(contains_eager(ProcessVersion.definition))
        .where(ProcessDefinition.key == process_key,
               ProcessVersion.version == ProcessDefinition.latest_version))
    if version is None:
        raise NotFound(f"no process {process_key!r} is deployed")
    return version
