"""Sending to group robots over HTTP, within each robot's rate limit.

WeCom and DingTalk take 20 messages a minute per robot (DingTalk then blocks the robot for ten
minutes), Feishu 100. More due at once are merged into fewer messages (a digest: each item's title
linked to its page) and what still does not fit is held back to the next minute — never dropped.
The window of recent sends (`robot_window`) is in the database when the transport is given a
session factory, so several workers enforce one limit per robot; should the robot still answer
with a rate-limit code (another system posting to it), the rest is held back too.

Robots answer HTTP 200 with an error code in the body: `errcode` (WeCom, DingTalk) or `code`
(Feishu) other than 0 is an error. A 5xx, a timeout or a refused connection is worth retrying
(the worker backs off); a 4xx or an error code about the request (bad key, bad signature, keyword
missing) is not.
"""
from __future__ import annotations

import json
import math
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy.orm import Session

from engine.clock import system_clock
from engine.models import DINGTALK, FEISHU, WECOM

from .channels import Outcome, Rendered
from .robot_window import WINDOW, LocalWindow, RateWindow, SharedWindow
from .robots import TEXT_LIMIT, body_size, merged_body, signed_request

#: Messages a minute each robot takes (as each robot documents it).
RATE_PER_MINUTE = {WECOM: 20, DINGTALK: 20, FEISHU: 100}
#: Error codes meaning "too many messages": held back a minute, not counted as an attempt.
RATE_LIMITED = {WECOM: {45009}, DINGTALK: {130101, 410100}, FEISHU: {11232}}
#: Error codes meaning "busy, try again": retried with the worker's backoff.
TRANSIENT = {WECOM: {-1}, DINGTALK: {-1}, FEISHU: {-1}}
#: How long messages after a failed one wait, so they do not overtake it.
HOLD_SECONDS = 30
_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class RobotTransport:
    """Posts rendered robot messages (`Rendered.channel` the robot kind, `to` its webhook URL, `body`
    from `robot_body`, `secret` for signing), in order, one robot after another. `per_minute`
    overrides every kind's limit (the benchmark lifts it to measure throughput); with `sessions` the
    rate windows are the database's, shared by every process, else this transport's own."""

    def __init__(self, clock: Callable[[], datetime] = system_clock, *, timeout: float = 5.0,
                 per_minute: int | None = None, sessions: Callable[[], Session] | None = None) -> None:
        self.clock = clock
        self.timeout = timeout
        self.per_minute = per_minute
        self.window: RateWindow = SharedWindow(sessions) if sessions is not None else LocalWindow()
        self._lock = threading.Lock()

    def send(self, messages: Sequence[Rendered]) -> list[Outcome]:
        """Without `sessions`, keep one transport for the life of the worker: the windows live in it."""
        by_robot: dict[str, list[Rendered]] = {}
        for m in messages:
            by_robot.setdefault(m.to, []).append(m)
        outcomes: dict[int, Outcome] = {}
        with self._lock:  # one window per robot, whichever thread sends
            for group in by_robot.values():
                for o in self._send_to_robot(group):
                    outcomes[o.outbox_id] = o
        return [outcomes[m.outbox_id] for m in messages]

    def _send_to_robot(self, messages: list[Rendered]) -> list[Outcome]:
        kind, url, now = messages[0].channel, messages[0].to, self.clock()
        limit = self.per_minute or RATE_PER_MINUTE.get(kind, 20)
        slots = self.window.take(url, now, limit, len(messages))
        groups = _pack(kind, messages, len(slots.ids))
        posted: list[int] = []
        try:
            return self._post_groups(kind, url, now, messages, groups, slots.free_at, posted)
        finally:  # the slots of what was not posted (merged, or after a failure) are free again
            self.window.give_back(url, slots.ids[len(posted):])

    def _post_groups(self, kind: str, url: str, now: datetime, messages: list[Rendered],
                     groups: list[list[Rendered]], free_at: datetime, posted: list[int]) -> list[Outcome]:
        sent = sum(len(g) for g in groups)
        out: list[Outcome] = []
        for i, group in enumerate(groups):
            body = group[0].body if len(group) == 1 else merged_body(kind, [m.body for m in group])
            target, payload = signed_request(kind, url, group[0].secret, body, now)
            posted.append(i)
            ok, error, retry, limited = self._post(kind, target, payload)
            if ok:
                out.extend(Outcome(m.outbox_id, True) for m in group)
                continue
            rest = [m for g in groups[i + 1:] for m in g] + messages[sent:]
            if limited:
                later = now + WINDOW
                return out + [Outcome(m.outbox_id, False, error, True, retry_at=later) for m in group + rest]
            held = now + timedelta(seconds=HOLD_SECONDS)
            return out + [Outcome(m.outbox_id, False, error, retry) for m in group] + [
                Outcome(m.outbox_id, False, "held back: an earlier message to this robot failed", True,
                        retry_at=held)
                for m in rest]
        return out + [Outcome(m.outbox_id, False, "rate limit: held to the next minute", True,
                              retry_at=free_at)
                      for m in messages[sent:]]

    def _post(self, kind: str, url: str, body: dict[str, Any]) -> tuple[bool, str | None, bool, bool]:
        """(sent, error, worth retrying, rate-limited) for one POST."""
        data = json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, method="POST", headers=_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (OSError, ValueError) as exc:  # refused, unreachable, timed out, bad URL
            return False, f"{type(exc).__name__}: {exc}", not isinstance(exc, ValueError), False
        text = raw.decode(errors="replace")[:500]
        if status == 429:
            return False, f"HTTP 429: {text}", True, True
        if status >= 300:
            return False, f"HTTP {status}: {text}", status >= 500 or status == 408, False
        try:
            answer = json.loads(text or "{}")
        except ValueError:
            return False, f"HTTP {status}, not JSON: {text}", True, False
        code = answer.get("code", answer.get("StatusCode", 0)) if kind == FEISHU else answer.get("errcode", 0)
        if not code:
            return True, None, False, False
        error = f"{kind} error {code}: {answer.get('msg') or answer.get('errmsg') or text}"
        return False, error, code in TRANSIENT.get(kind, ()), code in RATE_LIMITED.get(kind, ())


def _pack(kind: str, messages: list[Rendered], budget: int) -> list[list[Rendered]]:
    """At most `budget` groups of messages, in order, each sent as one message: one each when they
    fit, else merged evenly and within the robot's size; messages left over wait."""
    if budget <= 0:
        return []
    if len(messages) <= budget:
        return [[m] for m in messages]
    per = math.ceil(len(messages) / budget)
    limit, groups = TEXT_LIMIT.get(kind, 4000), []
    group: list[Rendered] = []
    size = 0
    for m in messages:
        grows = body_size(m.body)
        if group and (len(group) >= per or size + grows > limit):
            groups.append(group)
            if len(groups) == budget:
                return groups
            group, size = [], 0
        group.append(m)
        size += grows
    groups.append(group)
    return groups
