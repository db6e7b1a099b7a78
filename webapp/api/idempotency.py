"""Idempotency-Key on the API's writes (POST, PUT, PATCH, DELETE): a client that sends the header and
retries after a lost answer gets the first answer again instead of a second case or a second step.

The records live in the database (engine/models/idempotency.py), so the retry may reach any app
process. A record is claimed before the request runs (a unique row: a concurrent retry is a 409, not a
second run) and filled with the answer afterwards; a 5xx answer frees the key for another try. Keys
belong to the credential they came with (requests without one are left alone), and the same key with
another request is a 422. A retry whose token was revoked or expired since is not replayed: it is
refused (401) like any request with that token. The background runner purges the records after
IDEMPOTENCY_KEEP_HOURS (`engine.runtime.purge_idempotency_records`)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.directory import user_for_token
from engine.models import IdempotencyRecord

from ..errors import error_response
from ..extensions import db, engine
from .blueprint import bp

HEADER = "Idempotency-Key"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: An answer is replayed IDEMPOTENCY_KEEP_HOURS (24 by default; the background runner purges older
#: records); a claim whose request never answered (its process died) is given to the next request
#: with the key after CLAIM_HELD.
CLAIM_HELD = timedelta(minutes=5)


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


@bp.before_request
def replay_or_claim() -> Any:
    key = request.headers.get(HEADER)
    if key is None or request.method not in WRITES or "Authorization" not in request.headers:
        return None
    if not (0 < len(key) <= 255 and key.isascii() and key.isprintable()):
        message = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")
        return error_response("invalid", message, 422, {HEADER: "invalid"})
    owner = _digest(request.headers.get("Authorization", "").encode())
    fingerprint = _digest(request.method.encode(), request.full_path.encode(), request.get_data(cache=True))
    now = engine().clock()
    with Session(db.engine) as session:
        record = session.scalars(select(IdempotencyRecord).filter_by(owner=owner, key=key)).first()
        kept = timedelta(hours=float(current_app.config.get("IDEMPOTENCY_KEEP_HOURS", 24.0)))
        if record is not None and record.created_at < now - (kept if record.status else CLAIM_HELD):
            taken = session.execute(update(IdempotencyRecord).where(
                IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at).values(
                fingerprint=fingerprint, status=None, body=None, location=None, created_at=now))
            session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                g.idempotency = (owner, key)
                return None
            return error_response("conflict", _("A request with this Idempotency-Key is still running."), 409)
        if record is None:
            session.add(IdempotencyRecord(owner=owner, key=key, fingerprint=fingerprint, status=None,
                                          created_at=now))
            try:
                session.commit()
            except IntegrityError:  # a concurrent request with the key claimed it first
                return error_response("conflict", _("A request with this Idempotency-Key is still running."),
                                      409)
            g.idempotency = (owner, key)
            return None
    if record.status is None:
        return error_response("conflict", _("A request with this Idempotency-Key is still running."), 409)
    if not _credential_live(now):
        return None  # revoked or expired since: the route refuses it (401), nothing is replayed
    if record.fingerprint != fingerprint:
        return error_response("invalid", _("This Idempotency-Key was used for another request."), 422,
                              {HEADER: "reused"})
    replay = Response(record.body or b"", status=record.status, mimetype="application/json")
    replay.headers["Idempotent-Replayed"] = "true"
    if record.location:
        replay.headers["Location"] = record.location
    return replay


def _credential_live(now: datetime) -> bool:
    """Is the request's bearer token still one the API takes? Asked before a replay only: an answer is
    given again to whoever may still ask for it, not to a token revoked (a new password, an account
    switched off) or expired in between."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and user_for_token(db.session, token.strip(), now) is not None


@bp.after_request
def remember(response: Response) -> Response:
    claimed = g.pop("idempotency", None)
    if claimed is None:
        return response
    owner, key = claimed
    where = (IdempotencyRecord.owner == owner) & (IdempotencyRecord.key == key)
    with Session(db.engine) as session:
        if response.status_code >= 500 or response.is_streamed:
            session.execute(delete(IdempotencyRecord).where(where))
        else:
            session.execute(update(IdempotencyRecord).where(where).values(
                status=response.status_code, body=response.get_data(),
                location=response.headers.get("Location")))
        session.commit()
    return response


@bp.teardown_request
def free_on_failure(exc: BaseException | None) -> None:
    """An unhandled error skips `remember`: the claim is dropped, so a retry runs the request."""
    claimed = g.pop("idempotency", None)
    if claimed is not None:
        owner, key = claimed
        with Session(db.engine) as session:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.owner == owner,
                                                            IdempotencyRecord.key == key))
            session.commit()
