"""What a channel is to the delivery worker: a transport that sends rendered messages, and the
renderer that turns an outbox row's facts into text in its reader's language. The renderer is given
by the application (the web app renders with its templates and translations), so the engine needs
neither Flask nor a template of its own."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol, Sequence


@dataclass(frozen=True)
class Rendered:
    """One message ready to leave: `to` is an e-mail address or a robot's webhook URL; `subject`,
    `text` and `html` for mail; `body` the robot's JSON (already in that robot's format)."""

    outbox_id: int
    channel: str
    to: str
    subject: str = ""
    text: str = ""
    html: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    secret: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: sent, or the error (and whether trying again may help). Held
    back, not tried (a robot's rate limit, or an earlier message to the same robot that failed): it
    waits `later`, or until `retry_at`, and the attempt does not count."""

    outbox_id: int
    ok: bool
    error: str | None = None
    retry: bool = True
    later: timedelta | None = None
    retry_at: datetime | None = None


class Transport(Protocol):
    """Sends a group of messages of one channel (one connection for a batch of mails, one robot's
    messages in order) and says what became of each."""

    def send(self, messages: Sequence[Rendered]) -> list[Outcome]: ...


#: outbox rows (as dicts of their columns, with the recipient's e-mail, locale and time zone, or the
#: robot's url, kind and secret, joined in) → messages to send.
Renderer = Callable[[Sequence[dict[str, Any]]], list[Rendered]]
