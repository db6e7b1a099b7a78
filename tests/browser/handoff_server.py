"""A server of a hand-off module's own, on SQLite or on a PostgreSQL database of its own, with the
module's clock: its cases (and a clock moved to the schedule's day) leave the shared server alone."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from engine.clock import FrozenClock
from webapp import create_app
from webapp.bootstrap import prepare

from .conftest import LiveServer


@contextlib.contextmanager
def own_server(request: Any, serve: Any, folder: Any, clock: FrozenClock,
               purpose: str) -> Iterator[LiveServer]:
    """`request.param` is "sqlite" or "postgres" (the test server's `own_postgres_database`)."""
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            url = stack.enter_context(request.getfixturevalue("own_postgres_database")(purpose))
        else:
            url = f"sqlite:///{folder / 'live.sqlite'}"
        app = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(folder / "uploads"),
                         TASK_POLL_SECONDS=1, WTF_CSRF_ENABLED=True, CLOCK=clock)
        prepare(app)
        with serve(app, f"{purpose}-server") as served:
            yield LiveServer(app, served)
