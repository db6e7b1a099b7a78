"""Security headers on every response, so that a page can neither run injected script nor be framed.

The policy itself lives in `config.py` (`CONTENT_SECURITY_POLICY`, `SECURITY_HEADERS`,
`STRICT_TRANSPORT_SECURITY`), where the reasons for each directive are written down.
A view may send a stricter policy of its own (attachments do); it keeps it, and only the
directives that never fall back to `default-src` are added when it lacks them, so that no view
can be framed or rebase its links by forgetting one.

The headers are added at the WSGI edge, where a response's headers are a plain list of pairs, as
the app starts its answer. They are the same for every response and checked once here; added by an
`after_request` hook, each went through Werkzeug's `Headers`, which checks every value again, and
that hook was about 1% of an API request (an interleaved A/B, 12–20 µs).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask

# Directives that `default-src` does not cover: a view's own policy gets ours when it omits them.
_NO_FALLBACK = ("frame-ancestors", "base-uri", "form-action")
_POLICY = "content-security-policy"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def policy_text(directives: Mapping[str, str]) -> str:
    """`{"default-src": "'self'", ...}` as a header value; a directive with no sources is a flag."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


class SecurityHeaders:
    """Wraps the app's WSGI callable: every response it starts gets the headers it lacks."""

    def __init__(self, app: WSGIApp, directives: Mapping[str, str], fixed: Mapping[str, str]) -> None:
        self.app = app
        self.directives = dict(directives)
        policy = [("Content-Security-Policy", policy_text(directives))] if directives else []
        pairs = policy + list(fixed.items())
        for name, value in pairs:
            if not (name.isascii() and value.isascii()) or any(c in name + value for c in "\r\n\0"):
                raise ValueError(f"security header {name!r}: only one line of ASCII may be sent")
        self.pairs = tuple((name, value, name.lower()) for name, value in pairs)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _value in headers}
            if _POLICY in present:
                headers[:] = [(name, _completed(value, self.directives)) if name.lower() == _POLICY
                              else (name, value) for name, value in headers]
            headers.extend((name, value) for name, value, lower in self.pairs if lower not in present)
            return start_response(status, headers, exc_info)
        return self.app(environ, start)


def init_app(app: Flask) -> None:
    """Wraps `app.wsgi_app` once the config is final (create_app calls this after the blueprints)."""
    config = app.config
    fixed = dict(config["SECURITY_HEADERS"])
    if config.get("STRICT_TRANSPORT_SECURITY"):
        fixed.setdefault("Strict-Transport-Security", config["STRICT_TRANSPORT_SECURITY"])
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, config["CONTENT_SECURITY_POLICY"], fixed)


def _completed(own: str, directives: Mapping[str, str]) -> str:
    named = {part.split()[0].lower() for part in own.split(";") if part.strip()}
    missing = {name: directives[name] for name in _NO_FALLBACK if name in directives and name not in named}
    return "; ".join([own.strip().rstrip(";"), policy_text(missing)]) if missing else own
