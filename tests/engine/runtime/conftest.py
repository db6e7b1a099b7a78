"""Runtime fixtures: two sessions racing on one case."""
from __future__ import annotations

import threading
from typing import Any, Callable

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine import Engine

Step = Callable[[Session], Any]
Race = Callable[..., "BaseException | None"]


@pytest.fixture
def race(engine: Engine, sessions, monkeypatch) -> Race:
    """`race(first, second, *, both=None, wait_on=None)`: two sessions at one case, what the second raised.

    `both` (if given) runs on each session before either writes, so both have read the case; `first`
    then writes on session one without committing, and `second` runs on session two in a thread while
    session one commits. A thread, because the second write waits on the first transaction: on
    PostgreSQL for its row lock, on SQLite for its write lock; run in line it would wait on itself.
    With `wait_on`, the name of an Engine loader (`open_task`, `case_row`, `load`), session one commits
    only once session two has gone through that loader, so the second has read before the first
    committed. Session two commits if `second` returns and rolls back if it raises; both are closed.
    """
    def run(first: Step, second: Step, *, both: Step | None = None,
            wait_on: str | None = None) -> BaseException | None:
        one, two = sessions(), sessions()
        has_read = threading.Event()
        outcome: list[BaseException | None] = []

        def run_second() -> None:
            try:
                second(two)
                two.commit()
                outcome.append(None)
            except BaseException as exc:  # returned to the test, which asserts on it
                two.rollback()
                outcome.append(exc)

        with monkeypatch.context() as patch:
            if wait_on is not None:
                loader = getattr(engine, wait_on)

                def read_then_signal(s: Session, *args: Any, **kwargs: Any) -> Any:
                    found = loader(s, *args, **kwargs)
                    if s is two:
                        has_read.set()
                    return found
                patch.setattr(engine, wait_on, read_then_signal)
            else:
                has_read.set()
            try:
                if both is not None:
                    for s in (one, two):
                        both(s)
                first(one)
                thread = threading.Thread(target=run_second)
                thread.start()
                has_read.wait(timeout=30)
                one.commit()
                thread.join(timeout=30)
                assert not thread.is_alive(), "session two still waiting"
                assert has_read.is_set(), f"session two never went through Engine.{wait_on}"
            finally:
                one.close()
                two.close()
        [error] = outcome
        return error
    return run


@pytest.fixture
def overtake(engine: Engine, sessions, monkeypatch) -> Callable[[str, Step], None]:
    """`overtake(loader, step)`: the next command to go through Engine.`loader` (`load`, `open_task`) is
    overtaken right after that read: `step` runs in a session of its own and commits before the command
    goes on to write. No thread: the command has only read, so nothing waits on a lock."""
    def arm(loader: str, step: Step) -> None:
        read = getattr(engine, loader)
        overtaken: list[bool] = []

        def read_then_be_overtaken(*args: Any, **kwargs: Any) -> Any:
            found = read(*args, **kwargs)
            if not overtaken:  # once: `step` goes through the loader too
                overtaken.append(True)
                with sessions() as other:
                    step(other)
                    other.commit()
            return found
        monkeypatch.setattr(engine, loader, read_then_be_overtaken)
    return arm


class StatementLog:
    """The statements a session's connection sends while the log listens."""

    def __init__(self, session: Session) -> None:
        self.connection, self.statements = session.connection(), []
        event.listen(self.connection, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    def writing(self, table: str) -> list[str]:
        return [s for s in self.statements if f"UPDATE {table} " in s or f"INSERT INTO {table} " in s]

    def close(self) -> None:
        if event.contains(self.connection, "before_cursor_execute", self._seen):
            event.remove(self.connection, "before_cursor_execute", self._seen)


@pytest.fixture
def statement_log() -> Any:
    """`statement_log(session)`: a `StatementLog` of the session's connection, closed at the latest
    when the test ends."""
    logs: list[StatementLog] = []

    def start(session: Session) -> StatementLog:
        logs.append(StatementLog(session))
        return logs[-1]
    yield start
    for log in logs:
        log.close()
