"""What any request may carry, checked once for the whole app before a view sees it.

JSON bodies go through the strict reader (`strict_json`) before any view runs, ids in URLs through
the bounded converter (`record_ids`), and no query parameter, form field or URL part may hold a
character no database stores (a NUL, a lone surrogate): PostgreSQL refused them inside the query,
which was a 500.
Bodies above `MAX_CONTENT_LENGTH` and form fields above `MAX_FORM_MEMORY_SIZE` are a 413 (Werkzeug
applies the field limit to multipart forms only; here it holds for URL-encoded ones too).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request, abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from . import record_ids
from .errors import BadRequest, wants_json
from .strict_json import JSONRefused, StrictJSONProvider, escaped, storable


class StrictRequest(Request):
    """Unreadable JSON from `request.get_json()` is the API's 400 with the reason, not Werkzeug's page."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, JSONRefused):
            raise BadRequest(e.message, e.fields)
        if e is not None:
            raise BadRequest(_("The request body is not valid JSON."), {"_body": _("not valid JSON")})
        return super().on_json_loading_failed(e)


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def check_request() -> None:
    """404 for an unstorable character in the URL's parts, 400 naming the query parameter or form
    field that holds one, and 400 for a JSON body (any body under /api/, which speaks only JSON) that
    the strict reader refuses, whether or not the view reads it: a refused request changes nothing."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # once, not a proxy per use
    if req.view_args and any(isinstance(v, str) and not storable(v) for v in req.view_args.values()):
        abort(404)
    field_limit = req.max_form_memory_size
    # a JSON (or any other non-form) body has no form fields: not asking for them spares parsing it as
    # one; its stream still refuses a body above MAX_CONTENT_LENGTH (413), as the form's reading did
    form = req.form if req.mimetype in _FORM_TYPES else None
    if form is None and req.content_length:
        req.stream  # noqa: B018  (opening it checks the length)
    for values in (req.args, form) if form is not None else (req.args,) if req.query_string else ():
        for name, texts in values.lists():
            if not storable(name) or not all(map(storable, texts)):
                where = escaped(name)
                raise BadRequest(_("'%(name)s' contains a NUL character or a lone surrogate.", name=where),
                                 {where: _("contains a NUL character or a lone surrogate")})
            if field_limit and any(len(t) * 4 > field_limit and len(t.encode()) > field_limit for t in texts):
                raise RequestEntityTooLarge()
    if (req.is_json or wants_json()) and req.get_data(cache=True).strip():
        req.get_json(force=True, cache=True)


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered: their `<int:...>` rules take the converter then."""
    app.json = StrictJSONProvider(app)
    app.request_class = StrictRequest
    record_ids.init_app(app)
    app.before_request(check_request)
