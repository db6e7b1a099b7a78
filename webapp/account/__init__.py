"""The person's own settings: language (remembered on their user row), time zone, and which
notifications reach them when."""
from . import notification_routes, routes  # noqa: F401
from .blueprint import bp  # noqa: F401
