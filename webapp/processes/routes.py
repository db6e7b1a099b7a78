"""`/processes`: what I may start; `/processes/<key>`: its start form, validated by the engine."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.attachments import link_pending
from engine.bpmn import is_retired, retired_refusal
from engine.errors import InvalidData, PermissionDenied, ProcessError

from ..extensions import db, engine
from ..model_errors import model_error_text
from ..record_ids import record_ids
from ..ui.case_text import what_next
from ..ui.form_fields import STORE_KEYS, Ready, build_fields, parse_submission, unplaced_errors
from ..ui.names import process_name
from ..uploads import save_form_files
from .blueprint import bp
from .start_pages import StartPage, advance_choices, startable, store_choices


def _page(key: str) -> StartPage:
    for page in startable(engine(), db.session, current_user):
        if page.key == key:
            return page
    if is_retired(db.session, key):  # an old link or bookmark: say why, not just "not found"
        raise retired_refusal(key)
    abort(404)


def _render(page: StartPage, values: dict[str, Any], errors: dict[str, str] | None = None,
            status: int = 200) -> Any:
    stores = store_choices(engine(), db.session, current_user, page.key)
    extra = {**{k: stores for k in STORE_KEYS}, **advance_choices(db.session, current_user, page.form)}
    if len(stores) == 1 and not values.get("store_code"):
        values = {**values, "store_code": stores[0].value}
    fields = build_fields(page.form, values, errors, extra)
    return render_template("processes/start.html", page=page, fields=fields,
                           form_errors=unplaced_errors(fields, errors or {}, page.form)), status


@bp.get("/processes")
@login_required
def index() -> Any:
    return render_template("processes/index.html", pages=startable(engine(), db.session, current_user))


@bp.route("/processes/<key>", methods=["GET", "POST"])
@login_required
def start(key: str) -> Any:
    page = _page(key)
    if request.method == "GET":
        return _render(page, {})
    tz = current_user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    data = parse_submission(page.form, request.form, tz=tz)
    now = engine().clock()
    refused = save_form_files(page.form, request.files, data, current_user, now, None)
    if refused:
        db.session.commit()  # accepted files wait, visible only to their uploader, for the case
        return _render(page, data, refused, 422)
    try:
        case = engine().start(db.session, key, current_user, data)
    except InvalidData as exc:
        db.session.rollback()
        return _render(page, data, exc.fields, 422)
    except ProcessError as exc:
        db.session.rollback()
        return _render(page, data, {"_model": Ready(model_error_text(exc))}, 422)
    except PermissionDenied:
        db.session.rollback()
        return _render(page, data, {"store_code": "store must be yours"}, 403)
    photo_ids = record_ids(str(v) for k in ("photos", "attachments") for v in data.get(k) or [])
    link_pending(db.session, current_user, photo_ids, case.id, now)
    db.session.commit()
    flash(_("Case %(key)s started: %(process)s.", key=case.business_key or case.id, process=process_name(key))
          + " " + what_next(case), "success")
    return redirect(url_for("tasks.outcomes"), 303)
