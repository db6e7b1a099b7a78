"""The `http` connector: one JSON request to an address under a base URL an administrator allowed.

A model says where to call, but an administrator says where calls may go (`ConnectorSettings.
allowed`, from `OPSFLOW_CONNECTOR_HOSTS`): an address under no allowed base URL is refused, and so is
a redirect, which could lead anywhere. What comes back is plain data for the case: the status and
the body (parsed when it is JSON, else text, bounded).
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from engine.bpmn.service_tasks import HTTP_METHODS

MAX_RESPONSE_BYTES = 256 * 1024
#: HTTP statuses worth trying again: the other system is busy or briefly down.
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class ConnectorSettings:
    """What an administrator configures: the base URLs calls may go to, the default and longest timeout."""

    allowed: tuple[str, ...] = ()
    timeout: float = 10.0
    max_timeout: float = 60.0


class ConnectorError(Exception):
    """A connector call failed; `transient` failures are tried again after a backoff."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def allowed_url(url: str, allowed: tuple[str, ...]) -> bool:
    """Is `url` under one of the allowed base URLs (same scheme, host and port, path below)?"""
    try:
        target = urlsplit(url)
        port = target.port
    except ValueError:
        return False
    path = target.path or "/"
    if target.scheme not in ("http", "https") or not target.hostname or "%2e" in path.lower():
        return False
    if any(segment in (".", "..") for segment in path.split("/")):
        return False
    for base in allowed:
        root = urlsplit(base.strip())
        if (root.scheme, root.hostname, root.port) != (target.scheme, target.hostname, port):
            continue
        base_path = root.path.rstrip("/")
        if not base_path or path == base_path or path.startswith(base_path + "/"):
            return True
    return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def call_http(params: Mapping[str, Any], settings: ConnectorSettings) -> dict[str, Any]:
    """Make the request the parameters describe; ConnectorError when it is refused or fails."""
    url = params.get("url")
    if not isinstance(url, str) or not allowed_url(url, settings.allowed):
        raise ConnectorError(f"the address {str(url)[:200]!r} is not under a base URL an administrator "
                             "allowed (OPSFLOW_CONNECTOR_HOSTS)", transient=False)
    method = str(params.get("method") or "GET").upper()
    if method not in HTTP_METHODS:
        raise ConnectorError(f"method {method[:20]!r} is not one of {', '.join(HTTP_METHODS)}",
                             transient=False)
    headers = {"Accept": "application/json"}
    extra = params.get("headers") or {}
    if not isinstance(extra, Mapping):
        raise ConnectorError("headers must be an object of strings", transient=False)
    headers.update({str(k): str(v) for k, v in extra.items()})
    data = None
    if params.get("json") is not None:
        data = json.dumps(params["json"], ensure_ascii=False, allow_nan=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    try:
        timeout = min(float(params.get("timeout") or settings.timeout), settings.max_timeout)
    except (TypeError, ValueError):
        raise ConnectorError("timeout must be a number of seconds", transient=False) from None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return {"status": response.status, "body": _body(response.read(MAX_RESPONSE_BYTES + 1))}
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection
        raise ConnectorError(f"{method} {url} answered HTTP {exc.code}",
                             transient=exc.code in TRANSIENT) from None
    except (socket.timeout, TimeoutError):
        raise ConnectorError(f"{method} {url} did not answer within {timeout:g} s", transient=True) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectorError(f"{method} {url} failed: {str(reason)[:200]}", transient=True) from None


def _body(raw: bytes) -> Any:
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ConnectorError(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes", transient=False)
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text
