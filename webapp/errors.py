"""One table from engine exception to HTTP status; JSON under /api/, an HTML page elsewhere."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from engine.errors import (
    ConcurrentUpdate,
    Conflict,
    DeployError,
    EngineError,
    InvalidData,
    NotFound,
    PermissionDenied,
    ProcessError,
    TooSoon,
)

from .extensions import db
from .ui.command_text import command_text
from .ui.denial_text import denial_text
from .ui.deploy_text import deploy_error_text
from .ui.schema_text import refusal_text

STATUS = {NotFound: 404, PermissionDenied: 403, InvalidData: 422, ConcurrentUpdate: 409, Conflict: 409,
          DeployError: 422, ProcessError: 422}


class Unauthorized(EngineError):
    code = "unauthorized"


class BadRequest(EngineError):
    """The request could not be read: malformed JSON, or a value of the wrong type."""

    code = "bad_request"


class TooManyRequests(EngineError):
    code = "too_many_requests"


STATUS.update({Unauthorized: 401, BadRequest: 400, TooManyRequests: 429, TooSoon: 429})


def status_of(exc: EngineError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/")


#: How much of a field's message (which may quote the rejected value) and of the whole message an
#: error body carries.
EXCERPT_CHARS = 80
MESSAGE_CHARS = 240


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of `text`: its start and its end around an ellipsis, so that a
    message like "'xxxx…' is too long" keeps both the value it quotes and the reason after it."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return f"{text[:limit - 1 - tail]}…{text[len(text) - tail:]}"


def error_response(code: str, message: str, status: int, fields: dict[str, str] | None = None) -> Any:
    message = excerpt(str(message), MESSAGE_CHARS)
    fields = {excerpt(str(k)): excerpt(str(v)) for k, v in (fields or {}).items()}
    if wants_json():
        return jsonify({"error": code, "message": message, "fields": fields}), status
    template = f"errors/{status}.html" if status in (403, 404, 503) else "errors/error.html"
    return render_template(template, status=status, message=message, code=code), status


def http_text(exc: HTTPException) -> str:
    """Werkzeug's own English description, in the person's language when it is Werkzeug's default."""
    if exc.description and exc.description != type(exc).description:
        return exc.description
    texts = {
        400: lambda: _("The request could not be understood."),
        401: lambda: _("Please sign in first."),
        403: lambda: _("You may not open this page."),
        404: lambda: _("There is nothing at this address. Check the link, or go back to the start page."),
        405: lambda: _("This address does not accept that method."),
        406: lambda: _("This address cannot answer in a format the request accepts."),
        409: lambda: _("The request conflicts with the current state."),
        410: lambda: _("This has been removed."),
        415: lambda: _("This address does not accept that content type."),
        429: lambda: _("Too many requests; please wait a moment and try again."),
    }
    text = texts.get(exc.code or 0)
    return text() if text else (exc.description or exc.name)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError) -> Any:
        db.session.rollback()
        message, fields = exc.message, exc.fields
        if isinstance(exc, InvalidData):
            message, fields = command_text(*refusal_text(message, fields, exc.limits))
        elif isinstance(exc, DeployError):
            message = deploy_error_text(exc)
            if wants_json():  # the file and element it names, and the reason code with its values
                return jsonify({"error": exc.code, "message": excerpt(message, MESSAGE_CHARS), "fields": {},
                                "filename": exc.filename, "element": exc.element,
                                "line": int(exc.line) if str(exc.line or "").isdigit() else None,
                                "reason": exc.reason or None, "params": exc.params}), 422
        elif isinstance(exc, (NotFound, PermissionDenied, Conflict, TooSoon)):
            message = denial_text(exc)
        response, status = error_response(exc.code, message, status_of(exc), fields)
        if status == 401 and wants_json():
            response.headers["WWW-Authenticate"] = 'Bearer realm="opsflow"'
        if isinstance(exc, TooSoon) and wants_json():
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        db.session.rollback()
        code = (exc.name or "error").lower().replace(" ", "_")
        if isinstance(exc, RequestEntityTooLarge):
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            return error_response(code, _("The request is too large (at most %(mb)s MB).",
                                          mb=round(limit / 1048576, 1)), 413)
        # Werkzeug's own headers belong to the answer: Allow on a 405 (RFC 9110), Retry-After,
        # WWW-Authenticate
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        return (*error_response(code, http_text(exc), exc.code or 500), headers)

    @app.errorhandler(500)
    def server_error(exc: Exception) -> Any:
        db.session.rollback()
        text = _("Something went wrong on the server. Nothing was saved; please try again, and tell the "
                 "administrator if it happens again.")
        return error_response("server_error", text, 500)
