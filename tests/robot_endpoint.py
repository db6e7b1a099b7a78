"""A real HTTP server on loopback standing in for a group robot's webhook (WeCom, DingTalk, Feishu):
it keeps every request it gets (path, query, headers, JSON body) and answers from a script of
(status, JSON) replies, then with success."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""


@dataclass
class RobotEndpoint:
    """Answers `{"errcode": 0, "errmsg": "ok"}` (and Feishu's `code` 0) unless `replies` says otherwise."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/cgi-bin/webhook/send?key=k1") -> str:
        return self.base + path


def start_endpoint() -> RobotEndpoint:
    endpoint: RobotEndpoint

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            with endpoint.lock:
                endpoint.received.append(Received(
                    parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()}, json.loads(raw or b"{}"), raw))
                status, answer = endpoint.replies.pop(0) if endpoint.replies else (
                    200, {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    endpoint = RobotEndpoint(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return endpoint


def stop_endpoint(endpoint: RobotEndpoint) -> None:
    endpoint.server.shutdown()
    endpoint.server.server_close()
