"""The `Idempotency-Key` header in the contract: every write of /api/v1 taken with a token honours it
(`webapp/api/idempotency.py` runs before every route of the API), so every such operation names the
header, the replay's `Idempotent-Replayed` answer header, and the 409 and 422 the key may bring.
`POST /login` is the one write without a token: a key there is ignored, so it is not named there."""
from __future__ import annotations

import copy
from typing import Any

WRITES = ("post", "put", "patch", "delete")
PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    "description": "Any key of mine for this request (1 to 255 printable ASCII characters, e.g. a UUID): "
                   "a retry with the same key and the same request gets the first answer again "
                   "(`Idempotent-Replayed: true`) instead of doing it twice, from any server process, "
                   "for 24 hours. Keys are per token.",
}
REPLAYED = {"Idempotent-Replayed": {
    "schema": {"type": "string", "enum": ["true"]},
    "description": "present when this is the first answer to an earlier request with this Idempotency-Key"}}
CONFLICT = "a request with this Idempotency-Key is still running"
REUSED = ("this Idempotency-Key was used for another request (`fields`: {\"Idempotency-Key\": \"reused\"}), "
          "or it is not 1 to 255 printable ASCII characters (`invalid`)")
DESCRIPTION = """

**Retrying a write.** Every write taken with a token (POST, PUT, PATCH, DELETE; not `POST /login`)
honours an `Idempotency-Key` header: send a key of your own (a UUID) and, after a lost answer, send
the same request with the same key again. While the first one runs the retry gets 409; once it has
answered, the retry gets that answer again, with `Idempotent-Replayed: true`, whichever server process
takes it, for 24 hours (the operator's `OPSFLOW_IDEMPOTENCY_KEEP_HOURS`); after that the key is
forgotten. The same key with another request is a 422. A 5xx answer is not kept: the retry runs again.
Keys belong to the token they came with, and a retry whose token was revoked or expired in between
is refused with 401, not replayed."""


def honoured(path: str, method: str) -> bool:
    return method in WRITES and path != "/login"


def with_idempotency(paths: dict[str, Any]) -> dict[str, Any]:
    """`paths` with every honouring operation describing the key (a copy: operations share objects)."""
    out = copy.deepcopy(paths)
    for path, methods in out.items():
        for method, operation in methods.items():
            if not honoured(path, method):
                continue
            operation["parameters"] = [*operation.get("parameters", []),
                                       {"$ref": "#/components/parameters/IdempotencyKey"}]
            responses = operation["responses"]
            for status, response in responses.items():
                if status.startswith("2") and "$ref" not in response:
                    response["headers"] = {**response.get("headers", {}), **REPLAYED}
            for status, text in (("409", CONFLICT), ("422", REUSED)):
                if status not in responses:
                    responses[status] = {"description": text,
                                         "content": {"application/json": {
                                             "schema": {"$ref": "#/components/schemas/Error"}}}}
            operation["responses"] = dict(sorted(responses.items()))
    return out
