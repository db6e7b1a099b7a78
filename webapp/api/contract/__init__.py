"""The OpenAPI 3.1 description of the JSON API, written beside the routes and tested against them."""
from .document import openapi_document, openapi_json

__all__ = ["openapi_document", "openapi_json"]
