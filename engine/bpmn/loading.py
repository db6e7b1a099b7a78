"""What the read side asks of the engine: deployed processes, and cases restored from their state.

The queries take the engine as an argument rather than import `engine.runtime` (the write side);
these protocols name the few methods they call. `Engine` has them all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, ProcessVersion, User
from engine.policy import SupervisionRules

from .specs import ParsedProcess


class CaseLoader(Protocol):
    """Restores a stored case (`load`) and parses a process version (`process`), both cached, and
    says who supervises which cases (`supervision`, from the catalogue)."""

    @property
    def supervision(self) -> SupervisionRules: ...

    def clock(self) -> datetime: ...

    def process(self, session: Session, version_id: int) -> ParsedProcess: ...

    def load(self, session: Session, instance: ProcessInstance) -> tuple[ParsedProcess, BpmnWorkflow]: ...


class ProcessCatalogue(Protocol):
    """The deployed processes: the version a start would use, its parsed model, who may start it."""

    def process(self, session: Session, version_id: int) -> ParsedProcess: ...

    def latest_version(self, session: Session, process_key: str) -> ProcessVersion: ...

    def may_start(self, session: Session, user: User, process_key: str) -> bool: ...
