"""The `inbox` blueprint, which its route modules register their views on."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__)
