"""Session login for people; the API has its own tokens."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db, login_manager
from ..login_throttle import attempt_login, too_many_attempts
from ..web_sessions import sign_in, sign_out
from .blueprint import bp


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel -k N_) that is translated later, when it is shown."""
    return message


# Flask-Login flashes this when a page needs a login; translated when it is flashed.
login_manager.login_message = N_("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = _


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("tasks.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    status = 200
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        outcome = attempt_login(username, request.form.get("password") or "")
        if outcome.retry_after:
            return too_many_attempts(outcome.retry_after)
        if outcome.user is None:
            error, status = _("Wrong username or password."), 401
        else:
            sign_in(outcome.user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
@login_required
def logout() -> Any:
    locale = str(get_locale())  # the login page that follows keeps the person's language
    sign_out()
    db.session.commit()
    session["locale"] = locale
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))
