"""What people read instead of keys: process, step, role, store, status and outcome names in the
user's language.

Process names, Chinese and English, come from the latest deployed version of each model (its `name`
and `nameEn` properties), a step's from the version its case runs on when the caller says which
(`version` number or `version_id`: a case on version 1 whose step version 2 renamed keeps its
name); role and outcome names from the catalogue (`workflows.roles`, `workflows.registry`); store
names from the `store` table, which the administrators keep. When a name is missing the Chinese
name (or the key) is shown, never nothing. `webapp.ui` registers these as template globals, so
every page uses the same words.
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


def _texts(key: str, version: int | None = None, version_id: int | None = None) -> Any:
    """A version's names of a process (engine.bpmn.ProcessTexts), its latest version's when none is
    given: the versions of every process read at the first need in a request, in one query."""
    if "opsflow_process_texts" not in g:
        from ..extensions import db, engine
        g.opsflow_process_texts = engine().process_text_book(db.session)
    return g.opsflow_process_texts.of(key, version=version, version_id=version_id)


def process_name(key: str, fallback: str | None = None) -> str:
    texts = _texts(key)
    if texts is not None:
        name = texts.name_en if english() else texts.name_zh
        if name:
            return str(name)
        return str(texts.name_zh or fallback or key)
    return fallback or key


def process_description(key: str) -> str:
    texts = _texts(key)
    if texts is None:
        return ""
    return str((texts.description_en if english() else texts.description_zh) or texts.description_zh)


def step_name(process_key: str, element_id: str | None, fallback: str | None = None, *,
              version: int | None = None, version_id: int | None = None) -> str:
    """A BPMN element's name: the model's Chinese name (`fallback`: a task row's, which is its case's
    version's), or its English `nameEn` in the given version of the process (else the latest)."""
    if english() and element_id:
        texts = _texts(process_key, version, version_id)
        name = texts.step_names_en.get(element_id) if texts is not None else None
        if name:
            return str(name)
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


def store_choices() -> list[tuple[str, str]]:
    """Every store as (code, Chinese name), by code: the filter menus' stores, from the one read of
    the stores a request makes (`store_name` shows them from it too)."""
    return sorted((code, name) for code, (name, _name_en) in _store_names().items())


def remember_store_names(names: dict[str, tuple[str, str]]) -> None:
    """Stores' names a route has read already (`queries.filter_choices` gives them): this request's
    `store_name` and `store_choices` answer from them instead of reading the table again."""
    if "opsflow_store_names" not in g:
        g.opsflow_store_names = names


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


def known_outcomes() -> list[tuple[str, str]]:
    """The outcome words the catalogue knows (`workflows.registry.OUTCOMES`), as (word, name in the
    user's language), for the modeler's pick list; none without the catalogue."""
    registry = _registry()
    names = getattr(registry, "OUTCOMES", {}) if registry else {}
    return [(word, en if english() else zh) for word, (zh, en) in names.items()]


def outcome_name(outcome: str | None) -> str:
    if not outcome:
        return ""
    registry = _registry()
    names = getattr(registry, "OUTCOMES", {}) if registry else {}
    if outcome in names:
        zh, en = names[outcome]
        return en if english() else zh
    return gettext(outcome)

