"""The person's own settings: language (remembered on their user row), time zone, which
notifications reach them when, and their away period with a deputy (代理)."""
from . import away_routes, notification_routes, routes  # noqa: F401
from .blueprint import bp  # noqa: F401
