"""The delivery log: every outbox message newest first (filter by status and channel), the error of
each failure, and resending a failed one."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import delivery, queries
from engine.errors import Conflict

from ..extensions import db, engine
from .blueprint import bp
from .robot_routes import EVENT_NAMES


@bp.get("/deliveries")
def deliveries() -> Any:
    status = request.args.get("status") or None
    channel = request.args.get("channel") or None
    page_no = request.args.get("page", "1")
    number = int(page_no) if page_no.isascii() and page_no.isdigit() and len(page_no) < 7 else 1
    page = queries.delivery_log(db.session, current_user, status=status, channel=channel, page=max(number, 1))
    return render_template("admin/deliveries.html", page=page, status=status, channel=channel,
                           status_counts=queries.delivery_counts(db.session, current_user),
                           statuses=queries.DELIVERY_STATUSES, channels=queries.DELIVERY_CHANNELS,
                           robot_event_names=EVENT_NAMES)


@bp.post("/deliveries/<int:outbox_id>/resend")
def resend_delivery(outbox_id: int) -> Any:
    try:
        delivery.resend(db.session, current_user, outbox_id, engine().clock())
    except Conflict:
        db.session.rollback()
        flash(_("Message %(id)s has not failed; only a failed message is sent again.", id=outbox_id),
              "warning")
    else:
        db.session.commit()
        flash(_("Message %(id)s will be sent again.", id=outbox_id), "success")
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/admin/deliveries") else url_for("admin.deliveries"), 303)
