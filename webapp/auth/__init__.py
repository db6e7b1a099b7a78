"""Login and logout for the web UI."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401
from .proxies import trust_proxies  # noqa: E402,F401
