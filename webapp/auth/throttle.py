"""Slowing down password guessing: too many failures for one name or address lock it out a while."""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import current_app


class LoginThrottle:
    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts, self.window = attempts, window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def login_throttle() -> LoginThrottle:
    """The app's password-guessing throttle, shared by the login page and the API's login."""
    app = current_app
    if "opsflow_throttle" not in app.extensions:
        app.extensions["opsflow_throttle"] = LoginThrottle(app.config["LOGIN_THROTTLE_ATTEMPTS"],
                                                           app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    return app.extensions["opsflow_throttle"]
