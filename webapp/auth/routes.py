"""Session login for people; the API has its own tokens."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from flask_login import login_required

from engine.accounts import authenticate

from . import bp
from .sessions import sign_in, sign_out
from .throttle import login_throttle
from ..extensions import db, login_manager


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
        keys = (f"user:{username.lower()}", f"ip:{request.remote_addr}")
        if login_throttle().blocked(*keys):
            error, status = _("Too many failed attempts. Please wait a few minutes and try again."), 429
        else:
            user = authenticate(db.session, username, request.form.get("password") or "")
            if user is None:
                login_throttle().failed(*keys)
                error, status = _("Wrong username or password."), 401
            else:
                login_throttle().succeeded(*keys)
                sign_in(user)
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
