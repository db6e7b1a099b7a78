"""Group robot delivery throughput: 1,000 messages per robot kind through `RobotTransport` to a
loopback HTTP endpoint (a server in its own process, answering as the robots do), each message
built with `robot_body` and signed (DingTalk and Feishu with a secret), sent in the worker's batches.

A real robot takes 20 (WeCom, DingTalk) or 100 (Feishu) messages a minute and the transport merges
or holds back beyond that; here the limit is lifted (`per_minute`), so the figure is the sending
path's own throughput (JSON, HMAC, HTTP round trip), not a robot's quota.
"""
from __future__ import annotations

import json
import multiprocessing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import perf_counter
from typing import Any

from engine import FrozenClock
from engine.delivery import Rendered, RobotTransport, robot_body

from .report import Table, Target

MESSAGES = 1_000
BATCH = 50  # rows a worker claims at once
TARGET_PER_SECOND = 200
KINDS = {"wecom": None, "dingtalk": "bench-secret", "feishu": "bench-secret"}


class _Robot(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        data = b'{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        pass


def _serve(ports: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Robot)
    server.daemon_threads = True
    ports.put(server.server_address[1])
    server.serve_forever()


def _messages(kind: str, url: str, secret: str | None, n: int) -> list[Rendered]:
    lines = ["单号：CASE-20261102-{:05d}", "门店：SH001 上海南京路店", "步骤：店长处理",
             "截止：11月2日 13:00"]
    return [Rendered(outbox_id=i, channel=kind, to=url, secret=secret,
                     body=robot_body(kind, f"新任务：顾客投诉 {i}", [lines[0].format(i), *lines[1:]],
                                     f"http://ops.example/tasks/{i}", link_text="打开"))
            for i in range(1, n + 1)]


def measure(messages: int = MESSAGES) -> Table:
    ports: Any = multiprocessing.get_context("spawn").Queue()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=30)
        rows, targets = [], []
        for kind, secret in KINDS.items():
            transport = RobotTransport(FrozenClock(), per_minute=10 * messages)
            url = f"http://127.0.0.1:{port}/hook/{kind}?key=k"
            started = perf_counter()
            batch = _messages(kind, url, secret, messages)  # rendering counts: the worker renders too
            sent = 0
            for first in range(0, messages, BATCH):
                sent += sum(o.ok for o in transport.send(batch[first:first + BATCH]))
            seconds = perf_counter() - started
            rate = sent / seconds
            rows.append((kind, "signed" if secret else "no secret", sent, round(seconds, 2), round(rate)))
            targets.append(Target(f"{kind}: {messages:,} robot messages to a loopback endpoint at "
                                  f"≥ {TARGET_PER_SECOND}/s", sent == messages and rate >= TARGET_PER_SECOND,
                                  f"{rate:,.0f}/s, {sent:,} delivered"))
    finally:
        server.terminate()
        server.join(5)
    return Table("Group robot delivery (loopback HTTP endpoint, rate limit lifted)",
                 ("robot", "signature", "delivered", "seconds", "messages/s"), rows,
                 notes=[f"{messages:,} messages per robot, rendered, signed and POSTed in batches of "
                        f"{BATCH}; one HTTP connection per message, the endpoint in its own process"],
                 targets=targets)


if __name__ == "__main__":
    print(measure().render())
