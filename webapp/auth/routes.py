"""Session login for people; the API has its own tokens."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required, login_url

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


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    """A page sends the person to the login form with a note; a script's request (the live counts,
    the task list's refresh, the diagram) gets a bare 401. Redirecting a script would flash the note
    into a fresh session whose cookie can land after the login page's own and void its form."""
    if request.headers.get("X-Requested-With") or request.accept_mimetypes.best == "application/json":
        # JSON, not the error page: that page's forms would put a CSRF token in a new session too
        message = _(login_manager.login_message)
        return jsonify({"error": "unauthorized", "message": message, "fields": {}}), 401
    flash(_(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


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
