"""A model failure in someone's command, told in their language: which step failed and why.

The engine refuses such a command with a ProcessError (422): a script, condition or decision of the
model failed, or the case data would pass its size limit. The person did nothing wrong and can do
nothing about it but tell whoever maintains the model, so the message names the step and the cause
(the error's type and short English text are the model's, shown as they are).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask_babel import gettext as _

from engine.errors import CaseDataTooLarge, ProcessError

from .errors import error_response, status_of, wants_json
from .extensions import db


def step_of(exc: ProcessError) -> str:
    if exc.element_name and exc.element:
        return f"“{exc.element_name}” ({exc.element})"
    return f"“{exc.element}”" if exc.element else _("the process model")


def model_error_text(exc: ProcessError) -> str:
    step = step_of(exc)
    if isinstance(exc, CaseDataTooLarge):
        limit = format(exc.limit, ",")
        return _("Step %(step)s would make the case data larger than the limit of %(limit)s bytes. Nothing "
                 "was saved; please tell the administrator who maintains the process model.",
                 step=step, limit=limit)
    error = f"{exc.error_type}: {exc.reason}"
    return _("Step %(step)s of the process model failed (%(error)s). Nothing was saved; please tell the "
             "administrator who maintains the process model.", step=step, error=error)


def model_error_response(exc: ProcessError, **extra: Any) -> Any:
    """The API's answer, with the element it names; an HTML error page elsewhere."""
    status = status_of(exc)
    if not wants_json():
        return error_response(exc.code, model_error_text(exc), status)
    return jsonify({"error": exc.code, "message": model_error_text(exc), "fields": {}, "element": exc.element,
                    **extra}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ProcessError)
    def model_error(exc: ProcessError) -> Any:
        db.session.rollback()
        app.logger.info("model error on %s %s: %s", request.method, request.path, exc.message)
        return model_error_response(exc)
