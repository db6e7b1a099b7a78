"""Starting a case: the processes my roles may start, each with its start form."""
from . import routes  # noqa: F401
from .blueprint import bp  # noqa: F401
