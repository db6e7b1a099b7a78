"""What people read instead of keys: process, step, role, store, status and outcome names in the
user's language.

Chinese names come from the models and the catalogue; English ones from the catalogue
(`workflows.registry`, `workflows.roles`); store names from the `store` table, which the
administrators keep. When the catalogue lacks an entry the Chinese name (or the key) is shown, never
nothing. `webapp.ui` registers these as template globals, so every page uses the same words.
"""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

STATUS_NAMES = {"running": _l("Running"), "completed": _l("Completed"), "terminated": _l("Terminated"),
                "suspended": _l("Suspended"), "error": _l("Error"), "withdrawn": _l("Withdrawn")}
TASK_STATE_NAMES = {"open": _l("Open"), "completed": _l("Done"), "cancelled": _l("Cancelled")}


def english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _registry() -> Any:
    try:
        from workflows import registry
    except ImportError:  # the catalogue is optional for the engine; the UI falls back to keys
        return None
    return registry


def process_name(key: str, fallback: str | None = None) -> str:
    registry = _registry()
    entry = registry.PROCESSES.get(key) if registry else None
    if entry is not None:
        return entry.name_en if english() else entry.name_zh
    return fallback or key


def process_description(key: str) -> str:
    registry = _registry()
    entry = registry.PROCESSES.get(key) if registry else None
    if entry is None:
        return ""
    return entry.description_en if english() else entry.description_zh


def step_name(process_key: str, element_id: str | None, fallback: str | None = None) -> str:
    """A BPMN element's name: the model's Chinese name, or the catalogue's English one."""
    if english() and element_id:
        registry = _registry()
        entry = registry.PROCESSES.get(process_key) if registry else None
        if entry is not None:
            name = entry.step_names_en.get(element_id)
            if name:
                return name
    return fallback or element_id or ""


def role_name(key: str | None) -> str:
    if not key:
        return ""
    try:
        from workflows.roles import ROLES_BY_KEY
    except ImportError:
        return key
    role = ROLES_BY_KEY.get(key)
    if role is None:
        return key
    return role.name_en if english() else role.name_zh


def store_name(code: str | None) -> str:
    """The store's name as the `store` table has it: administrators add and rename stores there."""
    if not code:
        return ""
    found = _store_names().get(code)
    if found is None:
        return code
    name, name_en = found
    return (name_en or name) if english() else name


def _store_names() -> dict[str, tuple[str, str]]:
    """Every store's Chinese and English name, read once per request (the table is small)."""
    if "opsflow_store_names" not in g:
        from engine.models import Store

        from ..extensions import db
        g.opsflow_store_names = {code: (name, name_en) for code, name, name_en in
                                 db.session.execute(select(Store.code, Store.name, Store.name_en))}
    return g.opsflow_store_names


def status_name(status: str | None) -> str:
    return str(STATUS_NAMES.get(status or "", status or ""))


def task_state_name(state: str | None) -> str:
    return str(TASK_STATE_NAMES.get(state or "", state or ""))


def outcome_name(outcome: str | None) -> str:
    if not outcome:
        return ""
    registry = _registry()
    names = getattr(registry, "OUTCOMES", {}) if registry else {}
    if outcome in names:
        zh, en = names[outcome]
        return en if english() else zh
    return gettext(outcome)

