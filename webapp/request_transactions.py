"""How a request's database transaction ends when the view did not end it.

Flask-SQLAlchemy closes the session after each request, which rolls back whatever transaction is
open: for a page or a list, the read-only transaction its queries began. On PostgreSQL psycopg takes
every ROLLBACK as a reason to drop all the statements it prepared on the connection (one that failed
might not exist on the server), so every page, list and 待办 request cost the next requests their
prepared statements, and PostgreSQL planned them again: about 1.3 ms of its CPU per completion under
load (bench/load, pg_stat_statements). A safe request (GET, HEAD) that ran without an error and left
nothing for the ORM to write ends its transaction with COMMIT instead, which changes nothing and
keeps them. Any other request still ends in a rollback.
"""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy.orm import Session

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD"})


def init_app(app: Flask) -> None:
    """Flask-SQLAlchemy closes the session as the app context ends, after every request teardown
    function: this one has ended the transaction by then."""

    @app.teardown_request
    def end_read_only_transaction(exc: BaseException | None) -> None:
        if exc is not None or request.method not in SAFE_METHODS:
            return
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            # as the rollback in closing did, leave the loaded objects loaded: a streamed response
            # (the CSV export) still reads the signed-in user after this
            commit_keeping_loaded(session)


def commit_keeping_loaded(session: Session) -> None:
    """Commit without expiring the session's objects, then leave its own setting as it was (a test's
    app context may hold the same session for its next request)."""
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
