"""The client's address behind reverse proxies, which the login throttle keys on.

`X-Forwarded-For` is anyone's to write, so it is believed only when the deployment says how many
proxies of its own stand in front of the app (`OPSFLOW_TRUSTED_PROXIES`, never by default); then
Werkzeug's ProxyFix takes the address that many hops from the right, the one our proxy saw.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
