"""My notification preferences page (issue 12): which events reach me by inbox and e-mail, and my
quiet hours."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import InvalidData, delivery

from ..extensions import db
from .blueprint import bp


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notifications() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        choices = delivery.notification_preferences(db.session, current_user)
        form = request.form
        data = {"switches": {k: {c: f"{k}.{c}" in form for c in choices.to_dict()["channels"]}
                             for k in delivery.EVENT_KINDS},
                "quiet_hours": {"enabled": form.get("quiet_enabled") == "on",
                                "start": form.get("quiet_start", "").strip()[:5],
                                "end": form.get("quiet_end", "").strip()[:5]}}
        try:
            delivery.save_notification_preferences(db.session, current_user, data)
        except InvalidData as refused:
            db.session.rollback()
            errors = {key.split(".")[-1]: _("Give a time as HH:MM, e.g. 22:00.") for key in refused.fields}
        else:
            db.session.commit()
            flash(_("Your notification preferences are saved."), "success")
            return redirect(url_for("account.notifications"), 303)
    prefs = delivery.notification_preferences(db.session, current_user).to_dict()
    if errors:  # show what was typed
        prefs["quiet_hours"].update(start=request.form.get("quiet_start", ""),
                                    end=request.form.get("quiet_end", ""))
    return render_template("account/notifications.html", prefs=prefs, errors=errors), 422 if errors else 200
