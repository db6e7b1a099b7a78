"""The person's own settings: language (remembered on their user row) and time zone."""
from . import routes  # noqa: F401
from .blueprint import bp  # noqa: F401
