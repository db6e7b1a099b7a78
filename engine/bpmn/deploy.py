"""Deploying BPMN/DMN models and their forms as process versions.

Every file is parsed and validated before anything is stored, so a broken model is refused whole
with an error naming the file, the element and the reason; its scripts, conditions, timer and DMN
expressions are compiled under the policy they will run under (`script_checks`). A process whose
files are unchanged is left alone; a changed one becomes a new version, and running instances stay
on theirs.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import DeployError
from engine.models import CalledVersion, ModelFile, ProcessDefinition, ProcessVersion

from .approvals import check_approvals
from .code_checks import check_model_code
from .form_checks import check_form_schema
from .property_rules import check_properties
from .schedules import derive_schedules, timer_starts
from .service_tasks import check_service_tasks
from .specs import (
    BPMN_NS,
    DMN_NAMESPACES,
    FORM_PROPERTY,
    SPIFF_NS,
    ParsedProcess,
    SourceFile,
    form_filename,
    owner_id,
    parse_process_cached,
)


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    created: bool


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checksum(files: Iterable[SourceFile]) -> str:
    parts = sorted(f"{f.kind}:{f.filename}:{_sha(f.content)}" for f in files)
    return _sha("\n".join(parts))


def _xml(content: str, filename: str) -> etree._Element:
    try:
        return etree.fromstring(content.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise DeployError(f"{filename}, line {exc.lineno}: not well-formed XML: {exc.msg}",
                          filename=filename, line=exc.lineno, reason="not_xml",
                          params={"detail": str(exc.msg)}) from None


def _decision_ids(dmn: SourceFile) -> set[str]:
    root = _xml(dmn.content, dmn.filename)
    return {el.get("id") for ns in DMN_NAMESPACES for el in root.iter(f"{{{ns}}}decision")}


def _references(bpmn: SourceFile) -> tuple[list[str], dict[str, str | None], dict[str, str | None]]:
    """Process ids, and the called decision ids and form file names a BPMN file refers to, each
    with the first element that refers to it."""
    root = _xml(bpmn.content, bpmn.filename)
    processes = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")]
    decisions: dict[str, str | None] = {}
    for el in root.iter(f"{{{SPIFF_NS}}}calledDecisionId"):
        decisions.setdefault((el.text or "").strip(), owner_id(el))
    for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        if not any((el.text or "").strip() for el in task.iter(f"{{{SPIFF_NS}}}calledDecisionId")):
            decisions.setdefault("", task.get("id"))
    forms: dict[str, str | None] = {}
    for el in root.iter(f"{{{SPIFF_NS}}}property"):
        if el.get("name") == FORM_PROPERTY and el.get("value"):
            forms.setdefault(el.get("value"), owner_id(el))
    return processes, decisions, forms


def collect_directory(bpmn_dir: str | Path, forms_dir: str | Path | None = None
                      ) -> dict[str, list[SourceFile]]:
    """Group the files of a model folder by process key: the BPMN, the DMN it calls, its forms.

    Forms are looked up in `forms_dir/<process_key>/`, then beside the BPMN file.
    """
    bpmn_dir = Path(bpmn_dir)

    def form(key: str, name: str) -> SourceFile | None:
        candidates = ([Path(forms_dir) / key / name] if forms_dir else []) + [bpmn_dir / name]
        found = next((c for c in candidates if c.is_file()), None)
        return SourceFile("form", name, found.read_text("utf-8")) if found else None

    where = f"in {bpmn_dir}" + (f" or {Path(forms_dir)}/<process>" if forms_dir else "")

    def files(kind: str) -> list[SourceFile]:
        return [SourceFile(kind, p.name, p.read_text("utf-8")) for p in sorted(bpmn_dir.glob(f"*.{kind}"))]

    return collect(files("bpmn"), files("dmn"), form, where)


def collect(bpmns: list[SourceFile], dmns: list[SourceFile], form: Callable[[str, str], SourceFile | None],
            where: str, deployed: Callable[[str], list[SourceFile] | None] | None = None
            ) -> dict[str, list[SourceFile]]:
    """Group model files by process key (the BPMN file's name): each BPMN with the DMN files whose
    decisions it calls and the forms (found by `form(key, name)`) its elements name, and with the
    files of the processes its call activities call (`called_files`): from these files, else
    `deployed(key)` (a deployed process's current files). `where` says where the files were looked
    for, for the error when one is missing."""
    by_decision: dict[str, SourceFile] = {}
    for dmn in dmns:
        for decision_id in _decision_ids(dmn):
            by_decision[decision_id] = dmn
    result: dict[str, list[SourceFile]] = {}
    for bpmn in bpmns:
        processes, decisions, forms = _references(bpmn)
        key = bpmn.filename.rsplit(".", 1)[0]
        if key not in processes:
            raise DeployError(f"{bpmn.filename}: the file must hold a process with id {key!r} "
                              f"(found {', '.join(processes) or 'none'})",
                              filename=bpmn.filename, element=key, reason="process_id",
                              params={"key": key, "found": ", ".join(processes) or "none"})
        files = [bpmn]
        for decision_id, element in sorted(decisions.items()):
            if not decision_id:
                raise DeployError(f"{bpmn.filename}, element {element}: business rule task names no decision "
                                  f"(spiffworkflow:calledDecisionId)",
                                  filename=bpmn.filename, element=element)
            called = by_decision.get(decision_id)
            if called is None:
                raise DeployError(f"{bpmn.filename}, element {element}: decision {decision_id!r} is called "
                                  f"but no .dmn file {where} defines it",
                                  filename=bpmn.filename, element=element, reason="decision_missing",
                                  params={"decision": decision_id})
            if called not in files:
                files.append(called)
        for name, element in sorted(forms.items()):
            found = form(key, name)
            if found is None:
                raise DeployError(f"{bpmn.filename}, element {element}: form {name!r} not found {where}",
                                  filename=bpmn.filename, element=element, reason="form_not_found",
                                  params={"form": name})
            files.append(found)
        result[key] = files
    return {key: called_files(key, result, deployed, where) for key in result}


def _called(bpmn: SourceFile) -> dict[str, str | None]:
    """The process ids a BPMN file's call activities call outside the file, each with the first
    call activity calling it."""
    root = _xml(bpmn.content, bpmn.filename)
    own = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    called: dict[str, str | None] = {}
    for el in root.iter(f"{{{BPMN_NS}}}callActivity"):
        target = (el.get("calledElement") or "").strip()
        if target and target not in own:
            called.setdefault(target, el.get("id"))
    return called


def called_files(key: str, groups: dict[str, list[SourceFile]],
                 deployed: Callable[[str], list[SourceFile] | None] | None, where: str,
                 calling: tuple[str, ...] = ()) -> list[SourceFile]:
    """A process's files with those of every process it calls, at any depth: a shared sub-process
    (发货 called by 调拨 and 订货) is deployed with each caller, so a caller's version runs on the
    callee it was deployed with. A callee found nowhere, a call cycle, or a callee's file clashing
    with another file of the same name is refused naming the file and the call activity."""
    own = groups.get(key) or (deployed(key) if deployed else None) or []
    bpmn = next((f for f in own if f.kind == "bpmn" and f.filename == f"{key}.bpmn"), None)
    if bpmn is None:
        return own
    files = list(own)
    for callee, element in sorted(_called(bpmn).items()):
        if callee in calling or callee == key:
            raise DeployError(f"{bpmn.filename}, element {element}: calls {callee!r}, which calls back "
                              f"({' → '.join((*calling, key, callee))})",
                              filename=bpmn.filename, element=element, reason="call_cycle",
                              params={"key": callee, "chain": " → ".join((*calling, key, callee))})
        if callee not in groups and not (deployed and deployed(callee)):
            raise DeployError(f"{bpmn.filename}, element {element}: calls process {callee!r}, but no "
                              f"{callee}.bpmn {where} defines it and no such process is deployed",
                              filename=bpmn.filename, element=element, reason="callee_missing",
                              params={"key": callee})
        for f in called_files(callee, groups, deployed, where, (*calling, key)):
            same = next((g for g in files if (g.kind, g.filename) == (f.kind, f.filename)), None)
            if same is None:
                files.append(f)
            elif same.content != f.content:
                raise DeployError(f"{bpmn.filename}, element {element}: {callee}.bpmn brings its own "
                                  f"{f.filename}, which differs from the {f.filename} of {key}; rename one",
                                  filename=bpmn.filename, element=element, reason="callee_file_clash",
                                  params={"callee": f"{callee}.bpmn", "file": f.filename, "key": key})
    return files


def validate(key: str, files: list[SourceFile]) -> ParsedProcess:
    check_model_code(files)
    check_properties(files)
    parsed = parse_process_cached(key, files)
    check_approvals(parsed.spec, f"{key}.bpmn")
    check_service_tasks([parsed.spec, *parsed.subprocess_specs.values()], f"{key}.bpmn")
    timer_starts(parsed)
    for name, schema in parsed.forms.items():
        try:
            check_form_schema(schema)
        except ValueError as exc:
            raise _form_error(parsed, name, str(exc)) from None
    return parsed


def _form_error(parsed: ParsedProcess, name: str, reason: str) -> DeployError:
    element = next((s.bpmn_id for s in parsed.spec.task_specs.values() if form_filename(s) == name), None)
    return DeployError(f"{name} (the form of element {element} in {parsed.key}.bpmn): {reason}",
                       filename=name, element=element, reason="form_invalid",
                       params={"bpmn": f"{parsed.key}.bpmn", "detail": reason})


def deploy(session: Session, processes: dict[str, list[SourceFile]], *, now: datetime,
           deployed_by: str | None = None) -> list[DeployResult]:
    """Validate every process first, then store the changed ones as new versions: callees before
    their callers, so a caller's new version records the callee versions it was deployed with."""
    parsed = {key: validate(key, files) for key, files in processes.items()}
    results = []
    created: list[tuple[str, ProcessVersion]] = []
    for key in _callees_first(parsed):
        files = processes[key]
        definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
        digest = checksum(files)
        if definition is None:
            definition = ProcessDefinition(key=key, name=parsed[key].name, latest_version=0)
            session.add(definition)
        else:
            latest = session.scalar(select(ProcessVersion).where(
                ProcessVersion.definition_id == definition.id,
                ProcessVersion.version == definition.latest_version))
            if latest is not None and latest.checksum == digest:
                results.append(DeployResult(key, latest.version, False))
                continue
        definition.latest_version += 1
        definition.name = parsed[key].name
        version = ProcessVersion(definition=definition, version=definition.latest_version, checksum=digest,
                                 deployed_at=now, deployed_by=deployed_by)
        version.files = [ModelFile(kind=f.kind, filename=f.filename, checksum=_sha(f.content),
                                   content=f.content) for f in files]
        session.add(version)
        session.flush()
        _record_callees(session, version, parsed[key])
        created.append((key, version))
        results.append(DeployResult(key, version.version, True))
    session.flush()
    for key, version in created:
        derive_schedules(session, version, key, parsed[key], now)
    order = list(processes)
    return sorted(results, key=lambda r: order.index(r.key))


def _callees_first(parsed: dict[str, ParsedProcess]) -> list[str]:
    done: list[str] = []

    def visit(key: str) -> None:
        if key in done or key not in parsed:
            return
        for callee in sorted(parsed[key].subprocess_specs):
            if callee != key:
                visit(callee)
        done.append(key)

    for key in parsed:
        visit(key)
    return done


def _record_callees(session: Session, version: ProcessVersion, parsed: ParsedProcess) -> None:
    """The current version of each deployed process this version calls (its files came with it)."""
    for callee in sorted(parsed.subprocess_specs):
        callee_version = session.scalar(
            select(ProcessVersion.id).join(ProcessDefinition)
            .where(ProcessDefinition.key == callee,
                   ProcessVersion.version == ProcessDefinition.latest_version))
        if callee_version is not None:
            session.add(CalledVersion(caller_version_id=version.id, callee_key=callee,
                                      callee_version_id=callee_version))


def deploy_directory(session: Session, bpmn_dir: str | Path, forms_dir: str | Path | None = None, *,
                     now: datetime, deployed_by: str | None = None) -> list[DeployResult]:
    return deploy(session, collect_directory(bpmn_dir, forms_dir), now=now, deployed_by=deployed_by)
