"""The whole OpenAPI 3.1 document: the operations and schemas of this package, the error responses
they share, and how a client authenticates."""
from __future__ import annotations

import copy
import functools
import json
from typing import Any

from . import (
    attachments,
    away,
    deliveries,
    idempotency,
    inbox,
    messages,
    migrations,
    preferences,
    robots,
    schedules,
    task_detail,
    versions,
)
from .operations import PARAMETERS, PATHS, returns
from .schemas import SCHEMAS, ref

DESCRIPTION = """\
The JSON API of OpsFlow 运营中心流程平台: start cases, work through the task list, follow and
supervise cases.

**Authentication.** `POST /api/v1/login` with `{"username", "password"}` gives a token; send it on
every other request as `Authorization: Bearer <token>`. A user sees and may do through the API exactly
what the same user sees and may do in the web app.

**Starting a case.** `GET /processes` lists what I may start; `GET /processes/{key}` gives the
process's start form as JSON Schema; `POST /processes/{key}/instances` with `{"data": {...}}` starts
it. A file field (`photos`: an expense claim's receipts) holds the ids of files uploaded first with
`POST /attachments`.

**Errors.** Every refusal is `{"error": code, "message": text, "fields": {field: reason}}` with the
status that says what happened: 400 the request could not be read, 401 no valid token, 403 not
allowed, 404 unknown or not visible to me, 409 the case moved on or someone else changed it first,
413 too large, 422 the data breaks the form (each field named) or a step of the model failed on it
(`element` names the step), 429 too many attempts, 503 the service is briefly unavailable (retry after
`Retry-After` seconds). JSON in and out is strict: no NaN or Infinity, no lone surrogates, bounded
nesting. An id above its parameter's `maximum` (the largest a database column holds) is a 404.

**Incidents.** A timer or message step that fails stops its case on an incident (status `error`):
its supervisors see it in `GET /process-instances/{id}`, an administrator retries or resolves it.

**Other systems.** A client holding the `integration` role delivers BPMN messages to the waiting cases
they correlate with: `POST /messages` with `{"name", "correlation", "payload"}`.
"""

ERROR_RESPONSES = {
    "BadRequest": "the request could not be read: a body that is not strict JSON (malformed, NaN or "
                  "Infinity, nested too deep, a lone surrogate), a value of the wrong type, a query number "
                  "out of range or a NUL in the query; `fields` names the parameter",
    "Unauthorized": "no valid bearer token (or, at login, a wrong username or password)",
    "Forbidden": "not allowed to do this",
    "NotFound": "no such thing, or not one I may see (an id above the largest one there can be included)",
    "Conflict": "the case is not in a state for this, or someone else changed it first",
    "TooLarge": "the request body is too large",
    "InvalidData": "the data breaks the form or the rules (`fields` names each field); or a step of the "
                   "model failed on it (`model_error`, `case_data_too_large`: `element` names the step, "
                   "nothing was saved)",
    "TooManyRequests": "too many failed attempts; wait and try again",
    "Unavailable": "the service cannot reach its database; try again later",
}
HEADERS = {
    "Unauthorized": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "Unavailable": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
    "TooManyRequests": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
}
TAGS = [
    {"name": "Session", "description": "Tokens"},
    {"name": "Processes", "description": "What I may start, and starting it"},
    {"name": "Tasks", "description": "待办: the steps people do"},
    {"name": "Cases", "description": "Following and supervising cases"},
    {"name": "Inbox", "description": "What I was told"},
    {"name": "People", "description": "Away periods with a deputy (代理), handing over (离职交接)"},
    {"name": "Admin", "description": "What administrators keep: the delivery log, group robots, "
                                        "scheduled starts, process versions"},
    {"name": "Files", "description": "Photos, receipts and PDFs: uploaded, then named by a start or a step"},
    {"name": "Contract", "description": "This description"},
]


@functools.cache
def _document() -> dict[str, Any]:
    responses = {name: returns(ref("Error"), text, **({"headers": HEADERS[name]} if name in HEADERS else {}))
                 for name, text in ERROR_RESPONSES.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "OpsFlow API", "version": "1",
                 "description": DESCRIPTION + idempotency.DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "tags": TAGS,
        "security": [{"bearer": []}],
        "paths": idempotency.with_idempotency({
            **PATHS, **inbox.PATHS, **away.PATHS, **preferences.PATHS, **deliveries.PATHS, **robots.PATHS,
            **messages.PATHS, **schedules.PATHS, **attachments.PATHS, **versions.PATHS, **migrations.PATHS}),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from `POST /login`"}},
            "schemas": {**SCHEMAS, **inbox.SCHEMAS, **away.SCHEMAS, **preferences.SCHEMAS,
                        **deliveries.SCHEMAS, **robots.SCHEMAS, **task_detail.SCHEMAS, **messages.SCHEMAS,
                        **schedules.SCHEMAS, **attachments.SCHEMAS, **versions.SCHEMAS,
                        **migrations.SCHEMAS},
            "parameters": {**PARAMETERS, "IdempotencyKey": idempotency.PARAMETER},
            "responses": responses,
        },
    }


def openapi_document() -> dict[str, Any]:
    """The description, as a fresh copy for the caller to read or change."""
    return copy.deepcopy(_document())


@functools.cache
def openapi_json() -> bytes:
    """The description as served: made once per process, in the order it is written here."""
    return json.dumps(_document(), ensure_ascii=False, allow_nan=False).encode()
