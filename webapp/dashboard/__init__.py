"""The supervisor dashboard: where work piles up, where time goes, how steps keep their due times."""
from . import routes  # noqa: F401  (routes register themselves on bp)
from .blueprint import bp  # noqa: F401
