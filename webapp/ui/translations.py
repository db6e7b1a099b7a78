"""The templates' gettext, asking Flask-Babel for the request's translations once per locale.

Flask-Babel's own template callables look the translations up on every call: its context, its domain
and the locale, each through `flask.g`, about ten context-local lookups for each of the 100–200 words a
page translates — a measurable share of a page's CPU (issue 15). Here the translations are kept on
Flask-Babel's per-request context beside the locale they are for, so that `force_locale` (a notice in
its reader's language) and `refresh` (a new language chosen) still switch them: a call finding another
locale than the one kept asks Flask-Babel again.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_translations


def translations() -> Any:
    babel_ctx = g.get("_flask_babel") if g else None
    locale = getattr(babel_ctx, "babel_locale", None)
    if locale is None:  # outside a request, or the locale not chosen yet: Flask-Babel decides
        return get_translations()
    kept = getattr(babel_ctx, "opsflow_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    babel_ctx.opsflow_translations = (getattr(babel_ctx, "babel_locale", None), found)
    return found


def init_app(app: Flask) -> None:
    """Replace Flask-Babel's template callables (call after `babel.init_app`)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
