"""One exception hierarchy for every refusal the engine can give; the web layer maps each to a status."""
from __future__ import annotations


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
    """Submitted data broke the form's schema; `fields` maps each field path to its error."""

    code = "invalid_data"


class Conflict(EngineError):
    """The command does not fit the current state (task already done, case not running, ...)."""

    code = "conflict"


class ConcurrentUpdate(Conflict):
    """Another command changed the same case first; reload and try again."""

    code = "concurrent_update"


class DeployError(EngineError):
    """A model file was refused; the message names the file, the element and the reason."""

    code = "invalid_model"

    def __init__(self, message: str, filename: str | None = None, element: str | None = None,
                 line: int | str | None = None) -> None:
        super().__init__(message)
        self.filename = filename
        self.element = element
        self.line = line


class ProcessError(EngineError):
    """A script, condition or decision in the model failed while the case ran."""

    code = "process_error"

    def __init__(self, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element
