"""E-mail delivery throughput: the delivery worker sends queued e-mails through the SMTP transport to
a real SMTP server on loopback (aiosmtpd), rendered by the web app's renderer (templates, the
reader's language and time zone), one connection per batch.

    .venv/bin/python bench/mail_delivery.py [--messages 1000] [--batch 100]

Measured from the first take to the last row marked sent: claiming, joining, rendering, SMTP and
recording, on SQLite (and PostgreSQL when its test server is there). The server runs in a process
of its own and keeps a count, not the messages, so it is not what is measured.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench import fixtures  # noqa: E402
from bench.report import Table, Target  # noqa: E402
from engine import FrozenClock  # noqa: E402
from engine.delivery import Policy, SmtpSettings, SmtpTransport, deliver_due, enqueue, outbox_row  # noqa: E402
from engine.models import EMAIL, SENT, OutboxMessage  # noqa: E402

TARGET_PER_SECOND = 200.0
PEOPLE = 20


@dataclass(frozen=True)
class MailRow:
    database: str
    messages: int
    batch: int
    connections: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


#: The SMTP server, in a process of its own (so it does not share the worker's interpreter lock): it
#: counts what it accepts and the connections, says "ready", and prints both when stdin closes.
_SERVER = """
import sys, threading
from aiosmtpd.controller import Controller

class Counter:
    accepted = connections = 0
    lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
        return "250 OK"

counter = Counter()
controller = Controller(counter, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(counter.accepted, counter.connections, flush=True)
"""


class _Server:
    """`with _Server() as server:` aiosmtpd on loopback in a child process; `server.counts` after."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.counts = (0, 0)

    def __enter__(self) -> _Server:
        self.process = subprocess.Popen([sys.executable, "-c", _SERVER, str(self.port)], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the loopback SMTP server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self.process.communicate("", timeout=30)
        accepted, connections = (int(n) for n in out.split())
        self.counts = (accepted, connections)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _renderer(database_url: str) -> Any:
    """The web app's renderer (its templates and catalogues); the app's own database is not used."""
    from webapp import create_app
    from webapp.notices import make_renderer
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, BASE_URL="https://ops.example.cn")
    return make_renderer(app)


def _measure_one(db: fixtures.Database, messages: int, batch: int, renderer: Any) -> MailRow:
    clock = FrozenClock()
    with db.sessions() as session:
        people = [fixtures.make_user(session, f"mail_{i:02d}", [], clock()) for i in range(PEOPLE)]
        for i, person in enumerate(people):
            person.email = f"{person.username}@opsflow.example"
            person.locale = "en" if i % 2 else "zh_CN"
        session.flush()
        enqueue(session, [outbox_row(EMAIL, "assigned", {
            "title": f"门店报修 #{n}", "business_key": f"R-{n:05d}", "step": "店长确认", "task_id": None,
            "instance_id": None, "actor_id": people[(n + 1) % PEOPLE].id, "message": ""}, clock(),
            recipient_id=people[n % PEOPLE].id) for n in range(messages)])
        session.commit()
    with _Server() as server:
        smtp = SmtpTransport(SmtpSettings("127.0.0.1", server.port, mail_from="OpsFlow <ops@opsflow.example>",
                                          helo="bench.opsflow", timeout=10))
        started = time.perf_counter()
        run = deliver_due(db.sessions, {EMAIL: smtp}, renderer, clock, policy=Policy(batch=batch))
        seconds = time.perf_counter() - started
    accepted, connections = server.counts
    with db.sessions() as session:
        sent = session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == SENT))
    if run.sent != messages or sent != messages or accepted != messages:
        raise RuntimeError(f"sent {run.sent}, marked {sent}, accepted {accepted} of {messages}: "
                           f"{run.errors[:3]}")
    return MailRow(db.label, messages, batch, connections, seconds)


def measure(messages: int = 1_000, batch: int = 100, postgres_url: str | None = None) -> list[MailRow]:
    rows = []
    with fixtures.sqlite_database() as db:
        rows.append(_measure_one(db, messages, batch, _renderer("sqlite://")))
    if postgres_url:
        with fixtures.postgres_database(postgres_url, "_mail") as db:
            rows.append(_measure_one(db, messages, batch, _renderer("sqlite://")))
    return rows


def table(rows: list[MailRow], postgres_note: str | None = None) -> Table:
    body = [(r.database, r.messages, r.batch, r.connections, f"{r.seconds:.2f}", f"{r.per_second:.0f}")
            for r in rows]
    t = Table("E-mail delivery: the worker sends queued e-mails to a loopback SMTP server (aiosmtpd)",
              ("database", "messages", "batch", "connections", "seconds", "messages/s"), body)
    t.notes.append("claim under a lease, join recipient and actor, render (mail/notice.txt + .html, zh/en), "
                   "send over one SMTP connection per batch, mark sent")
    if postgres_note:
        t.notes.append(postgres_note)
    for r in rows:
        t.targets.append(Target(f"{r.database}: {r.messages:,} e-mails at >= {TARGET_PER_SECOND:g}/s",
                                r.per_second >= TARGET_PER_SECOND,
                                f"{r.per_second:.0f} messages/s over {r.connections} connection(s)"))
    return t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    url = None if args.no_postgres else fixtures.postgres_url()
    print(table(measure(args.messages, args.batch, url)).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
