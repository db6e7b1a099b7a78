"""Moving running cases of a process to another version (a dry run, then the move), and retiring or
re-enabling the process: administrators' pages beside the model page (issue 16)."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import sessionmaker

from engine import bpmn, queries, runtime
from engine.errors import InvalidData

from ..extensions import db, engine
from ..ui.command_text import command_text
from ..ui.migration_text import case_move_dict
from ..ui.names import process_name
from .blueprint import bp


def _number(name: str) -> int | str | None:
    value = (request.values.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() else value or None


def _ids() -> list[int] | None:
    """The cases picked (checkboxes of a dry run's table) or typed (ids separated by commas or spaces)."""
    picked = [int(v) for v in request.form.getlist("case") if v.isascii() and v.isdigit()]
    typed = (request.form.get("instance_ids") or "").replace(",", " ").split()
    if typed and not all(v.isascii() and v.isdigit() for v in typed):
        raise InvalidData("invalid list parameters", {"instance_ids": "invalid"})
    ids = picked + [int(v) for v in typed]
    if not ids and request.form.get("picking"):  # the table's boxes all unticked: not "every case"
        raise InvalidData("select at least one of the cases", {"case": "required"})
    return ids or None


def _mapping() -> dict[str, str]:
    return {k.removeprefix("map-"): v for k, v in request.form.items() if k.startswith("map-") and v}


def _page(key: str, status: int = 200, **context: Any) -> Any:
    summary, history, _files = bpmn.process_versions(db.session, current_user, key)
    running = [v for v in history if v.running]
    defaults = {"from_version": running[-1].version if running else None,
                "to_version": summary.latest.version if summary.latest else None}
    chosen = {k: _number(k) or defaults[k] for k in defaults}
    return render_template("admin/migration.html", process=summary, history=history, chosen=chosen,
                           **context), status


@bp.get("/models/<key>/migration")
def migration(key: str) -> Any:
    return _page(key)


@bp.post("/models/<key>/migration")
def migration_run(key: str) -> Any:
    dry_run = request.form.get("action") != "migrate"
    mapping = _mapping()
    try:
        report = runtime.migrate_cases(engine(), sessionmaker(bind=db.engine, expire_on_commit=False),
                                       current_user, key, _number("from_version"), _number("to_version"),
                                       instance_ids=_ids(), mapping=mapping, dry_run=dry_run)
    except InvalidData as exc:
        db.session.rollback()
        message, fields = command_text(exc.message, exc.fields)
        return _page(key, 422, error=message, error_fields=fields, mapping=mapping)
    cases = [case_move_dict(c, report.from_version, report.to_version) for c in report.cases]
    blocked = sorted({b["element_id"] for c in cases for b in c["blockers"]} | set(mapping))
    choices = queries.migration_choices(engine(), db.session, current_user, key, report.from_version,
                                        report.to_version, blocked)
    if not dry_run:
        flash(_("%(moved)d of %(total)d cases moved to version %(version)d.", moved=report.moved,
                total=len(cases), version=report.to_version), "success" if report.moved else "info")
    return _page(key, report=report, cases=cases, choices=choices, mapping=mapping)


@bp.post("/models/<key>/retire")
def model_retire(key: str) -> Any:
    bpmn.retire_process(db.session, current_user, key, engine().clock())
    db.session.commit()
    flash(_("%(process)s is retired: it starts no new cases; running cases go on.",
            process=process_name(key)), "success")
    return redirect(url_for("admin.model", key=key), 303)


@bp.post("/models/<key>/enable")
def model_enable(key: str) -> Any:
    bpmn.enable_process(db.session, current_user, key, engine().clock())
    db.session.commit()
    flash(_("%(process)s is back in service: new cases can start.", process=process_name(key)), "success")
    return redirect(url_for("admin.model", key=key), 303)
