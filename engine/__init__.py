"""The OpsFlow workflow runtime: SpiffWorkflow processes persisted in SQL, with no web stack (never Flask)."""
from engine.runtime.engine import Engine

from .clock import FrozenClock, system_clock
from .errors import (
    ConcurrentUpdate,
    Conflict,
    DeployError,
    EngineError,
    InvalidData,
    NotFound,
    PermissionDenied,
    ProcessError,
)

__all__ = ["Engine", "FrozenClock", "system_clock", "EngineError", "NotFound", "PermissionDenied",
           "InvalidData", "Conflict", "ConcurrentUpdate", "DeployError", "ProcessError"]
