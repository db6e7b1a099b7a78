"""The process registry seen through the engine's `Catalogue` interface."""
from __future__ import annotations

from engine.policy import Catalogue, ProcessPolicy


class RegistryCatalogue:
    def __init__(self, entries: dict) -> None:
        self._policies = {
            key: ProcessPolicy(
                key=key,
                starter_roles=frozenset(e.starter_roles) if e.starter_roles is not None else None,
                start_store_status=getattr(e, "start_store_status", None),
                title_template=getattr(e, "title", None) or getattr(e, "title_template", None),
                business_key_prefix=getattr(e, "business_key_prefix", "CASE"),
                task_due_hours=dict(getattr(e, "task_due_hours", {}) or {}),
                task_priority=dict(getattr(e, "task_priority", {}) or {}))
            for key, e in entries.items()}

    def policy(self, process_key: str) -> ProcessPolicy | None:
        return self._policies.get(process_key)


def catalogue() -> Catalogue:
    try:
        from .registry import PROCESSES
    except ImportError:
        PROCESSES = {}
    return RegistryCatalogue(PROCESSES)
