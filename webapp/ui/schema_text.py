"""The words of a form in the user's language: schema titles and the engine's validation errors.

Form schemas are written in Chinese (the catalogue's language). English titles come from the `en`
catalogue, where each Chinese title is a message id (extracted from `workflows/forms/` by
`webapp/translations/extract.py`); a title nobody translated yet shows in Chinese rather than not
at all. A schema may also carry `x-title-en` / `x-description-en`, which win.

The engine reports errors in jsonschema's English ("-1 is less than the minimum of 0"); people get
a sentence in their own language built from the schema's own limits instead.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

#: A business rule's limit (engine.forms.rules): "must be at most 18 (received_quantity)".
_LIMIT = re.compile(r"^must be (?P<op>at most|at least|on or before|on or after) (?P<limit>\S+)"
                    r"(?: \((?P<name>\w+)\))?$")
_FIXED_ROWS = re.compile(r"^rows cannot be added or removed \(keep the (?P<n>\d+) rows\)$")


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def schema_text(text: Any) -> str:
    """A title, label or description from a schema, translated when a translation exists."""
    if not text or not isinstance(text, str):
        return ""
    return _(text) if _english() else text


def _number(value: Any) -> str:
    try:
        return format_decimal(value)
    except (TypeError, ValueError):
        return str(value)


def error_text(prop: Mapping[str, Any], message: str, title_of: Callable[[str], str] | None = None) -> str:
    """One sentence for a validation error of the property `prop`; `title_of` names, in the user's
    language, the field a business rule bounds it by."""
    m = message or ""
    kind = prop.get("type")
    limit = _LIMIT.match(m)
    if limit:
        return _limit_text(limit, title_of)
    rows = _FIXED_ROWS.match(m)
    if rows:
        return _("Rows cannot be added or removed here; keep the %(n)s rows.", n=int(rows["n"]))
    if m == "must be a finite number":
        return _("Enter a number.")
    if m == "cannot be checked against its rule":
        return _("This value cannot be checked against its business rule; please tell the process owner.")
    if m == "required" or "is a required property" in m:
        if kind == "array" and prop.get("items", {}).get("type") == "object":
            return _("Add at least one row.")
        return _("This field is required.")
    if "is not of type" in m:
        return {"integer": _("Enter a whole number."), "number": _("Enter a number."),
                "boolean": _("Choose one of the options.")}.get(kind, _("This value is not valid."))
    if "less than or equal to the minimum" in m:
        return _("Enter a number greater than %(min)s.", min=_number(prop.get("exclusiveMinimum")))
    if "less than the minimum" in m:
        return _("Enter %(min)s or more.", min=_number(prop.get("minimum")))
    if "greater than or equal to the maximum" in m:
        return _("Enter a number less than %(max)s.", max=_number(prop.get("exclusiveMaximum")))
    if "greater than the maximum" in m:
        return _("Enter %(max)s or less.", max=_number(prop.get("maximum")))
    if "is too long" in m or "expected to be empty" in m:
        if kind == "array":
            return _("At most %(n)s entries.", n=prop.get("maxItems", 0))
        return _("At most %(n)s characters.", n=prop.get("maxLength", 0))
    if "is too short" in m or "should be non-empty" in m:
        if kind == "array":
            if prop.get("items", {}).get("type") == "object":
                return _("Add at least %(n)s row(s).", n=prop.get("minItems", 1))
            return _("Choose at least %(n)s.", n=prop.get("minItems", 1))
        if (prop.get("minLength") or 0) <= 1:
            return _("This field is required.")
        return _("Enter at least %(n)s characters.", n=prop.get("minLength", 1))
    if "is not a 'date'" in m:
        return _("Enter a date (YYYY-MM-DD).")
    if "is not a 'date-time'" in m:
        return _("Enter a date and time.")
    if "is not a 'email'" in m:
        return _("Enter an e-mail address.")
    if "does not match" in m:
        hint = schema_text(prop.get("description"))
        return _("The format is not valid (%(hint)s).", hint=hint) if hint else _("The format is not valid.")
    if "non-unique" in m:
        return _("Each entry may appear only once.")
    if "was expected" in m and prop.get("const") is True:
        return _("Please confirm.")
    if "is not one of" in m or "is not valid under any" in m or "was expected" in m:
        return _("Choose one of the options.")
    if m in ("unknown store",):
        return _("Choose a store.")
    if m.startswith("store must be"):
        return _("This store cannot be chosen for this process.")
    if m in _ADVANCE_REFUSALS:
        return _ADVANCE_REFUSALS[m]()
    return _("This value is not valid.")


#: Why an expense claim may not offset the advance it names (workflows.advances).
_ADVANCE_REFUSALS: dict[str, Callable[[], str]] = {
    "not an advance of yours": lambda: _("This is not a paid advance of yours."),
    "advance not paid": lambda: _("This advance has not been paid yet."),
    "advance already offset": lambda: _("This advance has already been offset by another claim."),
    "only an expense claim offsets an advance": lambda: _("Only an expense claim can offset an advance."),
}


#: How the engine's form refusals begin (engine.forms.validation).
_FORM_REFUSALS = ("the form has errors", "the form breaks its rules", "not a finite number")


def _form_own(text: str) -> bool:
    return bool(_LIMIT.match(text) or _FIXED_ROWS.match(text)) or text in _FORM_MESSAGES or \
        text.startswith("store must be")


#: The form's refusals that name no schema keyword (engine.forms, engine.runtime.start_rules).
_FORM_MESSAGES = ("must be a finite number", "cannot be checked against its rule", "unknown store")


def refusal_text(message: str, fields: Mapping[str, str], limits: Mapping[str, Mapping[str, Any]],
                 ) -> tuple[str, dict[str, str]]:
    """An InvalidData refusal for an API client, in the person's language: each field the form refused
    worded from the keyword and limits the engine names (`InvalidData.limits`); a field the engine
    names no limits for keeps its message unless it is one of the form's own (a rule's bound, fixed
    rows, a number that is not finite, the store a start form names): a command's own refusal
    ("reason": "required") is a code its clients read."""
    worded = {path: error_text(limits.get(path) or {}, text) if path in limits or _form_own(text) else text
              for path, text in fields.items()}
    if limits or message.startswith(_FORM_REFUSALS):
        message = _("The form has errors: %(fields)s", fields=", ".join(sorted(fields)))
    return message, worded


def _limit_text(limit: re.Match[str], title_of: Callable[[str], str] | None) -> str:
    name, op = limit["name"], limit["op"]
    what = (title_of(name) if title_of else name) if name else ""
    if op in ("at most", "at least"):
        value = _number(limit["limit"])
        if op == "at most":
            return _("Enter at most %(limit)s (%(what)s).", limit=value, what=what) if what else \
                _("Enter %(max)s or less.", max=value)
        return _("Enter at least %(limit)s (%(what)s).", limit=value, what=what) if what else \
            _("Enter %(min)s or more.", min=value)
    day = limit["limit"]
    if op == "on or before":
        return _("Enter a date on or before %(date)s (%(what)s).", date=day, what=what) if what else \
            _("Enter a date on or before %(date)s.", date=day)
    return _("Enter a date on or after %(date)s (%(what)s).", date=day, what=what) if what else \
        _("Enter a date on or after %(date)s.", date=day)


def upload_error(reason: str, limit: int | None = None) -> str:
    """Why an attachment was refused, for the person who sent it."""
    if reason == "too_large":
        return _("The file is too large (at most %(mb)s MB).", mb=_number(round((limit or 0) / 1048576, 1)))
    if reason == "forbidden_type":
        return _("This file type is not accepted. Attach photos (JPEG, PNG, GIF, WebP, HEIC) or PDF files.")
    if reason == "empty":
        return _("The file is empty.")
    return _("The file was not accepted.")
