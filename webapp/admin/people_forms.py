"""Reading the user and store forms, and putting the directory's refusal codes into words.

The engine (`engine.directory`) decides what is valid and names each bad field with a reason code;
this module only turns posted strings into its arguments and its codes into sentences beside the
field they concern (the input's id is the field path with dots as dashes: `roles.0.store_code` is
`roles-0-store_code`).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask import current_app
from flask_babel import lazy_gettext as _l

from engine.access import Grant
from engine.directory import DirectoryRules

_ROLE_FIELD = re.compile(r"roles-(\d{1,4})-(role|store_code|region)")

#: Field labels, for the summary above a form.
LABELS = {
    "username": _l("Username"), "display_name": _l("Display name"), "email": _l("Email"),
    "locale": _l("Language"), "active": _l("Active"), "password": _l("Password"), "roles": _l("Roles"),
    "role": _l("Role"), "store_code": _l("Store"), "region": _l("Region"),
    "code": _l("Store code"), "name": _l("Name"), "name_en": _l("English name"), "kind": _l("Kind"),
    "city": _l("City"), "address": _l("Address"), "status": _l("Status"), "owner": _l("Owner"),
}

_REASONS = {
    "required": _l("Required."),
    "invalid": _l("Not in the expected format."),
    "too_long": _l("Too long."),
    "too_short": _l("Too short."),
    "taken": _l("Already taken."),
    "unknown": _l("Choose one of the listed values."),
    "duplicate": _l("This role with this scope is already in the list."),
    "not_scoped": _l("This role is not scoped to this; leave it empty."),
    "own_account": _l("You cannot do this to your own account."),
}

_SPECIFIC = {
    ("username", "invalid"): _l("3 to 64 characters: lowercase letters, digits, _ . or -."),
    ("username", "taken"): _l("This username is already taken."),
    ("email", "invalid"): _l("Enter a valid email address, or leave it empty."),
    ("owner", "invalid"): _l("A direct store belongs to the company: leave the owner empty."),
    ("password", "too_short"): _l("At least 8 characters."),
    ("active", "own_account"): _l("You cannot deactivate your own account."),
    ("roles", "own_account"): _l("You cannot remove your own administrator role."),
    ("role.store_code", "required"): _l("This role needs a store."),
    ("role.store_code", "unknown"): _l("There is no store with this code."),
    ("role.region", "required"): _l("This role needs a region."),
    ("role.region", "unknown"): _l("No store lies in this region."),
    ("code", "invalid"): _l("2 to 16 capital letters or digits, for example SH004."),
    ("code", "taken"): _l("A store with this code already exists."),
    ("region", "invalid"): _l("2 to 16 capital letters, digits or _, for example EAST."),
}


def directory_rules() -> DirectoryRules:
    """The roles of the catalogue with their scopes, and the languages this app speaks."""
    from workflows.roles import ROLES
    return DirectoryRules(role_scopes={r.key: r.scope for r in ROLES},
                          locales=tuple(current_app.config["LANGUAGES"]))


def store_words() -> dict[str, dict[str, str]]:
    """The names of store kinds and statuses in the reader's language, from the catalogue."""
    from workflows.stores import STORE_KINDS, STORE_STATUSES

    from ..ui.names import english
    pick = 1 if english() else 0
    return {"kind_names": {k: names[pick] for k, names in STORE_KINDS.items()},
            "status_names": {k: names[pick] for k, names in STORE_STATUSES.items()}}


def field_id(path: str) -> str:
    return path.replace(".", "-")


def error_text(path: str, reason: str) -> str:
    """The sentence shown beside a refused field."""
    parts = path.split(".")
    key = f"role.{parts[-1]}" if parts[0] == "roles" and len(parts) == 3 else path
    message = _SPECIFIC.get((key, reason)) or _REASONS.get(reason)
    return str(message) if message is not None else reason


def field_label(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "roles" and len(parts) == 3 and parts[1].isdigit():
        return f"{LABELS['roles']} {int(parts[1]) + 1} · {LABELS.get(parts[2], parts[2])}"
    return str(LABELS.get(path, path))


def errors_by_id(fields: Mapping[str, str]) -> dict[str, str]:
    """{input id: sentence} for the template, from the engine's {field path: reason}."""
    return {field_id(path): error_text(path, reason) for path, reason in fields.items()}


def summary(fields: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(input id, label, sentence) of every refused field, in the order the engine named them."""
    return [(field_id(path), field_label(path), error_text(path, reason)) for path, reason in fields.items()]


def role_rows(form: Mapping[str, Any]) -> list[Grant]:
    """The posted role rows (`roles-<n>-role`, `-store_code`, `-region`) in row order, empty rows
    left out. The positions of the result are the positions the engine's errors refer to."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = _ROLE_FIELD.fullmatch(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = (form.get(key) or "").strip()
    return [Grant(r.get("role", ""), r.get("store_code") or None, r.get("region") or None)
            for _, r in sorted(rows.items()) if any(r.values())]


def user_details(form: Mapping[str, Any]) -> dict[str, Any]:
    """The edit form's fields as `update_user` takes them."""
    return {"display_name": form.get("display_name", ""), "email": form.get("email", ""),
            "locale": form.get("locale", ""), "active": form.get("active") == "1", "roles": role_rows(form)}


def new_user(form: Mapping[str, Any]) -> dict[str, Any]:
    """The new-user form's fields as `create_user` takes them."""
    return {"username": form.get("username", ""), "password": form.get("password", ""),
            "display_name": form.get("display_name", ""), "email": form.get("email", ""),
            "locale": form.get("locale", ""), "roles": role_rows(form)}


def store_fields(form: Mapping[str, Any]) -> dict[str, str]:
    """The store form's fields as `create_store`/`update_store` take them (without the code)."""
    return {key: form.get(key, "") for key in ("name", "name_en", "kind", "region", "city", "address",
                                                "owner", "status")}
