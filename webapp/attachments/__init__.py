"""Photos and documents on a case: upload, view (only for people who may see the case), remove."""
from . import routes  # noqa: F401
from .blueprint import bp  # noqa: F401
