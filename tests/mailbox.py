"""A real SMTP server on loopback (aiosmtpd) for the mail tests: it keeps what arrives, and can be
told to refuse (a temporary 451 on DATA, a permanent 550 for an address) or to be down."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """The aiosmtpd handler: `received` holds (envelope recipients, parsed message) in arrival order."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []
        self.refuse_data = 0  # refuse this many DATA commands with 451
        self.unknown: set[str] = set()  # addresses answered 550
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse_data:
                self.refuse_data -= 1
                return "451 4.3.0 try again later"
            raw = envelope.original_content or envelope.content
            self.raw.append(raw)
            self.received.append((list(envelope.rcpt_tos), message_from_bytes(raw, policy=policy.default)))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [m for _, m in self.received]


class MailServer:
    """`with MailServer() as server:` — aiosmtpd on 127.0.0.1:`server.port`; `stop()`/`start()` take it
    down and up again on the same port."""

    def __init__(self, mailbox: Mailbox | None = None, port: int | None = None, **controller: Any) -> None:
        self.mailbox = mailbox or Mailbox()
        self.port = port or free_port()
        self.options = controller
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
