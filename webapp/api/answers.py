"""How a write through the API ends: commit the request's work, then answer with what the route built.

The answer is built from the objects before the commit (the argument is a plain dict by the time the
commit runs), and the request's session is closed right after it: SQLAlchemy's default of expiring
every loaded object at commit, so that the next read fetches it again, is work no read follows. Left
out here, it is about 50 µs of an API complete (an interleaved A/B, `bench/api_cost.py`'s request).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify

from ..extensions import db
from ..request_transactions import commit_keeping_loaded


def committed(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    """Commit, then answer `payload` as JSON; the session keeps its objects loaded past the commit."""
    commit_keeping_loaded(db.session())
    return jsonify(payload), status, headers or {}
