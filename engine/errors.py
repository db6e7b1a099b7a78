"""One exception hierarchy for every refusal the engine can give; the web layer maps each to a status."""
from __future__ import annotations

import re
from typing import Any, Mapping


class EngineError(Exception):
    code = "error"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(EngineError):
    code = "not_found"


class PermissionDenied(EngineError):
    code = "forbidden"


class InvalidData(EngineError):
    """Submitted data broke the form's schema; `fields` maps each field path to its error.

    `limits` maps a field path to what a person needs to be told in their own language: the schema
    keyword that refused it (`"code"`) and the limits of the field's schema (`minLength`, `maximum`,
    `type`, ...); the English in `fields` is for logs and old clients."""

    code = "invalid_data"

    def __init__(self, message: str, fields: dict[str, str] | None = None,
                 limits: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(message, fields)
        self.limits = limits or {}


class Conflict(EngineError):
    """The command does not fit the current state (task already done, case not running, ...)."""

    code = "conflict"


class ConcurrentUpdate(Conflict):
    """Another command changed the same case first; reload and try again."""

    code = "concurrent_update"


class TooSoon(EngineError):
    """The same person did this a moment ago (urging a step, say); `retry_after` is in seconds."""

    code = "too_soon"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeployError(EngineError):
    """A model file was refused; the message names the file, the element and the reason (English,
    for logs). `reason` is the refusal's stable code and `params` the values it quotes, for the web
    layer to say it in the person's language; an empty `reason` leaves it to the message."""

    code = "invalid_model"

    def __init__(self, message: str, filename: str | None = None, element: str | None = None,
                 line: int | str | None = None, *, reason: str = "",
                 params: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.filename = filename
        self.element = element
        self.line = line
        self.reason = reason
        self.params = dict(params or {})


class ProcessError(EngineError):
    """A script, condition or decision in the model failed while the case ran.

    Nothing of the command is kept. `element` and `element_name` say where, `error_type` and
    `reason` why (short, for people and for incidents); `message` is all of it in one line."""

    code = "model_error"

    def __init__(self, message: str, element: str | None = None, *, element_name: str = "",
                 error_type: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.element = element
        self.element_name = element_name
        self.error_type = error_type or type(self).__name__
        self.reason = reason or message


class CaseDataTooLarge(ProcessError):
    """The case's data would grow past the size limit the engine was given; `element` produced it
    and `size` is how big it got (as far as it was measured: at least the limit)."""

    code = "case_data_too_large"

    def __init__(self, element: str | None, element_name: str, size: int, limit: int) -> None:
        reason = f"the case data would exceed its limit of {limit:,} bytes"
        super().__init__(f"{where(element, element_name)}: {reason}", element, element_name=element_name,
                         error_type="CaseDataTooLarge", reason=reason)
        self.size = size
        self.limit = limit


def where(element: str | None, element_name: str = "") -> str:
    """How an engine message names a BPMN element: `element review (审核)`, or `the model`."""
    if not element:
        return "the model"
    return f"element {element}" + (f" ({element_name})" if element_name else "")


def brief(text: str, limit: int = 300) -> str:
    """An error text short enough to show and store: one line, object addresses dropped, cut at
    `limit` characters (a repr or a traceback says nothing to the people who read it)."""
    text = _ADDRESS.sub(">", " ".join(str(text).split())).rstrip(" .")
    return text if len(text) <= limit else text[:limit - 1] + "…"


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
