"""Photos and documents on a case: upload, view (only for people who may see the case), remove."""
from flask import Blueprint

bp = Blueprint("attachments", __name__)

from . import routes  # noqa: E402,F401
