"""The API's published contract: its OpenAPI description at /api/v1/openapi.json (public, like the
login it describes) and /api/docs, a page that renders it with the vendored Swagger UI."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_login import current_user

from engine.access import role_keys

from .blueprint import bp
from .contract import openapi_json

docs_bp = Blueprint("api_docs", __name__)

# Who finds the page in the navigation: those who set up integrations and pull data. Anyone may
# still open it (and use the API), as the description itself is public.
DOCS_IN_NAVIGATION = frozenset({"admin", "analyst"})


@bp.get("/openapi.json")
def openapi() -> Response:
    return Response(openapi_json(), mimetype="application/json")


@docs_bp.get("/api/docs")
def page() -> str:
    return render_template("api/docs.html")


@docs_bp.app_context_processor
def _navigation() -> dict[str, Any]:
    def shows_api_docs() -> bool:
        return current_user.is_authenticated and not DOCS_IN_NAVIGATION.isdisjoint(role_keys(current_user))
    return {"shows_api_docs": shows_api_docs}
