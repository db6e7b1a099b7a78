"""Model code (scripts, conditions, expressions, DMN cells) run under a restricted policy: in the
server when its cost is bounded, in short-lived worker processes otherwise."""
from .functions import DEFAULT_ZONE, make_helpers
from .guards import ScriptLimitError, ScriptLimits, ScriptPolicyError
from .script_engine import RestrictedEnvironment, make_script_engine

__all__ = ["DEFAULT_ZONE", "RestrictedEnvironment", "ScriptLimitError", "ScriptLimits", "ScriptPolicyError",
           "make_helpers", "make_script_engine"]
