"""API routes for administrators moving running cases to another version of their process, and
retiring or re-enabling a process (issue 16)."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.orm import Session, sessionmaker

from engine import runtime
from engine.bpmn import enable_process, retire_process

from ..errors import BadRequest
from ..extensions import db, engine
from ..ui.migration_text import case_move_dict
from .auth import api_user, token_required
from .blueprint import bp
from .params import body


def case_sessions() -> sessionmaker[Session]:
    """Sessions of their own for the migration's cases: each case is committed on its own."""
    return sessionmaker(bind=db.engine, expire_on_commit=False)


def _ids(value: Any) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise BadRequest(_("'%(name)s' must be a list of case ids.", name="instance_ids"),
                         {"instance_ids": _("must be a list of case ids")})
    return value


@bp.post("/processes/<key>/migrations")
@token_required
def process_migration(key: str) -> Any:
    data = body()
    dry_run = data.get("dry_run", True)
    if not isinstance(dry_run, bool):
        raise BadRequest(_("'%(name)s' must be true or false.", name="dry_run"),
                         {"dry_run": _("must be true or false")})
    report = runtime.migrate_cases(engine(), case_sessions(), api_user(), key, data.get("from_version"),
                                   data.get("to_version"), instance_ids=_ids(data.get("instance_ids")),
                                   mapping=data.get("mapping"), dry_run=dry_run)
    return jsonify({"process_key": report.process_key, "from_version": report.from_version,
                    "to_version": report.to_version, "dry_run": report.dry_run,
                    "mapping": dict(report.mapping), "moved": report.moved,
                    "cases": [case_move_dict(c, report.from_version, report.to_version)
                              for c in report.cases]})


@bp.post("/processes/<key>/retire")
@token_required
def process_retire(key: str) -> Any:
    retire_process(db.session, api_user(), key, engine().clock())
    db.session.commit()
    return jsonify({"key": key, "retired": True})


@bp.post("/processes/<key>/enable")
@token_required
def process_enable(key: str) -> Any:
    enable_process(db.session, api_user(), key, engine().clock())
    db.session.commit()
    return jsonify({"key": key, "retired": False})
