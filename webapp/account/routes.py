"""Language switch (also before logging in, kept in the session) and the preferences page."""
from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from .blueprint import bp

#: Time zones offered first: where the brand's stores and offices are, and a few for travellers.
COMMON_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
                "Europe/London", "Europe/Paris", "America/New_York", "America/Los_Angeles", "UTC")


def _back() -> str:
    target = request.form.get("next") or request.referrer or ""
    if target.startswith(request.host_url):
        target = "/" + target[len(request.host_url):]
    return target if target.startswith("/") and not target.startswith("//") else url_for("tasks.index")


@bp.post("/account/language")
def language() -> Any:
    """Switch the interface language; a logged-in person keeps the choice on every device."""
    chosen = request.form.get("locale", "")
    if chosen not in current_app.config["LANGUAGES"]:
        flash(_("Unknown language."), "warning")
        return redirect(_back(), 303)
    session["locale"] = chosen
    if current_user.is_authenticated:
        current_user.locale = chosen
        db.session.commit()
    refresh()
    return redirect(_back(), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        locale = request.form.get("locale", "")
        zone = request.form.get("timezone", "")
        if locale not in current_app.config["LANGUAGES"]:
            errors["locale"] = _("Choose a language.")
        if zone not in available_timezones():
            errors["timezone"] = _("Choose a time zone.")
        if not errors:
            current_user.locale, current_user.timezone = locale, zone
            session["locale"] = locale
            db.session.commit()
            refresh()
            with force_locale(locale):
                flash(_("Your preferences are saved."), "success")
            return redirect(url_for("account.preferences"), 303)
    others = sorted(z for z in available_timezones() if "/" in z and z not in COMMON_ZONES)
    zones = list(COMMON_ZONES) + others
    return render_template("account/preferences.html", zones=zones, errors=errors), 422 if errors else 200
