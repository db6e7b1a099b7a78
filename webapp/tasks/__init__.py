"""My tasks: the work that is mine or that I may claim, the task page with its form, my cases."""
from . import approval_routes, routes, send_back_routes, task_routes  # noqa: F401
from .blueprint import bp  # noqa: F401
