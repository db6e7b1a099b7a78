"""Who may start a process, how a case is named and keyed, and which roles oversee which cases.

A process's model declares its policy in its process properties (engine/bpmn/properties.py); a
catalogue (`workflows/` supplies one) adds hooks that run code (`on_start`) and may override, and
says who supervises. Steps are timed by the model alone (`dueInHours`). Without a catalogue every
process the model names no starters for is open to everyone, and only administrators oversee cases.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Protocol


@dataclass(frozen=True)
class ProcessPolicy:
    key: str
    starter_roles: frozenset[str] | None = None
    start_store_status: str | None = None
    #: the kind of store (direct, franchise) a case may start for; None: any kind
    start_store_kind: str | None = None
    title_template: str | None = None
    business_key_prefix: str = "CASE"
    store_list_fields: tuple[str, ...] = ()
    #: start-form fields naming one more store each (a transfer's sending store): checked like
    #: `store_code` (known, open) when filled, and the case data gets their kind as `<field>_kind`
    store_fields: tuple[str, ...] = ()
    #: The catalogue's own check of a start against other cases (an expense claim offsetting the
    #: claimant's advance): called as `on_start(session, user, case_id, data, now)` once the case row
    #: exists, in the start's transaction; raises to refuse the start, returns data to add to the case.
    on_start: Callable[..., Mapping[str, Any]] | None = None

    def title(self, data: Mapping[str, Any], fallback: str) -> str:
        if not self.title_template:
            return fallback
        return string.Formatter().vformat(self.title_template, (), _Blank(data)).strip() or fallback

    def business_key(self, instance_id: int, started_at: datetime) -> str:
        """`started_at` in the business time zone: the key carries the day people there call it (a case
        started 00:34 Beijing time on 3 December is CP-20261203-…, though it is still the 2nd in UTC)."""
        return f"{self.business_key_prefix}-{started_at:%Y%m%d}-{instance_id:05d}"

    def due_at(self, element_id: str, created_at: datetime, model_hours: str | None) -> datetime | None:
        """When a step is due: its model's `dueInHours` (of the version the case runs on) after it
        was created. The model is the one place a step is timed (docs/modelling.md)."""
        try:
            hours = float(model_hours) if model_hours else None
        except ValueError:
            hours = None
        return created_at + timedelta(hours=hours) if hours is not None else None


@dataclass(frozen=True)
class SupervisionRules:
    """Which roles oversee cases by role, beyond the cases their holders start or work on: they see
    them, may terminate, suspend and resume them, and read the dashboard's figures over them.

    `all_cases` oversee every case; `processes` maps a role to the processes whose cases it
    oversees; a `regional` role oversees the cases of the region its grant names (a grant without
    a region oversees nothing). The default is the engine's alone: the administrator ("admin",
    `engine.access.ADMIN_ROLE`) oversees every case, and nobody else any.

    Readers oversee nothing but see figures and cases: `readers` every case (the analyst), a
    `store_readers` role the cases of the store its grant names (a store manager's own store).
    """
    all_cases: frozenset[str] = frozenset({"admin"})
    processes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    regional: frozenset[str] = frozenset()
    readers: frozenset[str] = frozenset()
    store_readers: frozenset[str] = frozenset()


class _Blank(dict):
    """Case data for a title template: a field the case lacks reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


class Catalogue(Protocol):
    #: Who may start a process the catalogue has no entry for and whose model names no starters:
    #: everybody (False) or nobody (True).
    closed_by_default: bool
    #: Who oversees which cases; an engine given a catalogue without it uses `SupervisionRules()`.
    supervision: SupervisionRules

    def policy(self, process_key: str) -> ProcessPolicy | None: ...


class OpenCatalogue:
    """Every process startable by anyone: what the engine assumes when nobody says otherwise."""

    closed_by_default = False
    supervision = SupervisionRules()

    def policy(self, process_key: str) -> ProcessPolicy | None:
        return None
