"""Security headers on every response, so that a page can neither run injected script nor be framed.

The policy itself lives in `config.py` (`CONTENT_SECURITY_POLICY`, `SECURITY_HEADERS`,
`STRICT_TRANSPORT_SECURITY`), where the reasons for each directive are written down.
A view may send a stricter policy of its own (attachments do); it keeps it, and only the
directives that never fall back to `default-src` are added when it lacks them, so that no view
can be framed or rebase its links by forgetting one.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, current_app

# Directives that `default-src` does not cover: a view's own policy gets ours when it omits them.
_NO_FALLBACK = ("frame-ancestors", "base-uri", "form-action")


def policy_text(directives: Mapping[str, str]) -> str:
    """`{"default-src": "'self'", ...}` as a header value; a directive with no sources is a flag."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


def init_app(app: Flask) -> None:
    """The headers' text is built here, once: the config is final when create_app calls this, and
    every response would otherwise join the same policy again."""
    config = app.config
    directives: Mapping[str, str] = dict(config["CONTENT_SECURITY_POLICY"])
    fixed = dict(config["SECURITY_HEADERS"])
    if config.get("STRICT_TRANSPORT_SECURITY"):
        fixed.setdefault("Strict-Transport-Security", config["STRICT_TRANSPORT_SECURITY"])
    app.extensions["security_headers"] = (directives, policy_text(directives) if directives else None,
                                          tuple(fixed.items()))
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    directives, policy, fixed = current_app.extensions["security_headers"]
    headers = response.headers
    own = headers.get("Content-Security-Policy")
    if own is not None:
        headers["Content-Security-Policy"] = _completed(own, directives)
    elif policy is not None:
        headers["Content-Security-Policy"] = policy
    present = {name.lower() for name, _value in headers.items()}
    for name, value in fixed:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def _completed(own: str, directives: Mapping[str, str]) -> str:
    named = {part.split()[0].lower() for part in own.split(";") if part.strip()}
    missing = {name: directives[name] for name in _NO_FALLBACK if name in directives and name not in named}
    return "; ".join([own.strip().rstrip(";"), policy_text(missing)]) if missing else own
