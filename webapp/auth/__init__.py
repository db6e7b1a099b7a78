"""Login and logout for the web UI."""
from . import routes  # noqa: F401
from .blueprint import bp  # noqa: F401
from .proxies import trust_proxies  # noqa: F401
