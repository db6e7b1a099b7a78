"""The in-app inbox (issue 12): the bell in the header and the page listing what I was told."""
from . import routes  # noqa: F401
from .blueprint import bp  # noqa: F401
