"""How many SQL statements the load test's requests send (issue 15): the pages and API calls a person
makes all day — complete, 待办 (API and page), the task page, start, the case list, the dashboard.

A request that reads the same row twice, loads a user's roles one query at a time, or counts the
navigation badges twice costs a round trip to PostgreSQL each time, under every request. The counts
are pinned here (as measured when they were made lean) so that a change which adds statements to a
hot request fails a test and has to say why, instead of showing up as a slower load test weeks later.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from sqlalchemy import event

from .conftest import Api
from .test_api_tasks import COMPLAINT, INVESTIGATION, only_task, start

# request kind -> statements it may send (measured; a lower count is welcome: lower the pin)
PINNED = {
    "complete (API)": 8,  # - 1: whether any robot could hear of the case comes with the case (issue 15)
    "待办 (API)": 3,  # - 1: a list that fits on its first page is its own count
    # names from the deployed models (+1); the pool's grants and the stores read once (-2); a list that fits
    # on its first page is its own count (-1; the pin was one above the count)
    "待办 (page)": 13,
    "task page": 23,  # names from the deployed models (+1); the task and case read once, the people once (-3)
    "start (API)": 13,  # - 1: whether any robot could hear of the case comes with its store (issue 15)
    "case list (page)": 14,  # + 1: names from the deployed models; the stores read once (-1)
    "dashboard (page)": 19,  # names from the deployed models (+1); the process names read once (-1);
    # the filters' stores and the stores' names read once (-1)
}
# PostgreSQL writes a command's case, changed tasks and new tasks as one statement (`case_writes`)
ON_POSTGRESQL = {**PINNED, "complete (API)": 6}
FOLLOW_UP = {"customer_satisfied": True, "feedback": "客户接受致歉，表示满意"}


class Statements:
    """Counts what the app's engine sends to the database while a request runs."""

    def __init__(self, app) -> None:
        from webapp.extensions import db
        with app.app_context():
            self.engine = db.engine
        self.sent: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sent.append(" ".join(statement.split())[:160])

    def during(self, request) -> tuple[Any, list[str]]:
        self.sent = []
        response = request()
        assert response.status_code < 400, response.get_data(as_text=True)[:500]
        return response, list(self.sent)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def statements(any_app) -> Iterator[Statements]:
    counter = Statements(any_app)
    yield counter
    counter.close()


def _signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post("/login", data={"username": username, "password": "demo123",
                                           "csrf_token": token.group(1)})
    assert response.status_code in (302, 303)
    return client


def _check(kind: str, sent: list[str], pinned: dict[str, int]) -> None:
    assert len(sent) <= pinned[kind], (f"{kind} sends {len(sent)} statements, pinned at {pinned[kind]}:\n"
                                       + "\n".join(sent))


def test_the_load_tests_requests_send_no_more_statements_than_pinned(any_app, statements):
    client = any_app.test_client()
    api = Api(client)
    cases = [start(api) for _ in range(3)]
    api.token("manager_sh001")  # signed in before, as the load test's people are
    manager, supervisor = _signed_in(any_app, "manager_sh001"), _signed_in(any_app, "supervisor_east")
    task_ids = [only_task(case)["id"] for case in cases]
    for path in ("/tasks", f"/tasks/{task_ids[0]}", "/cases", "/dashboard"):  # caches warm, as in a run
        (supervisor if path in ("/cases", "/dashboard") else manager).get(path)

    seen = {}
    _, seen["start (API)"] = statements.during(
        lambda: api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT}))
    listed, seen["待办 (API)"] = statements.during(lambda: api.as_("manager_sh001").get("/tasks?per_page=50"))
    assert {t["id"] for t in listed.get_json()["items"]} >= set(task_ids)
    _, seen["待办 (page)"] = statements.during(lambda: manager.get("/tasks"))
    _, seen["task page"] = statements.during(lambda: manager.get(f"/tasks/{task_ids[1]}"))
    done, seen["complete (API)"] = statements.during(
        lambda: api.as_("manager_sh001").post(f"/tasks/{task_ids[1]}/complete", json={"data": INVESTIGATION}))
    assert done.get_json()["status"] == "running"
    _, seen["case list (page)"] = statements.during(lambda: supervisor.get("/cases"))
    _, seen["dashboard (page)"] = statements.during(lambda: supervisor.get("/dashboard"))
    pinned = ON_POSTGRESQL if statements.engine.dialect.name == "postgresql" else PINNED
    for kind, sent in seen.items():
        _check(kind, sent, pinned)


def test_a_signed_in_page_reads_the_user_and_roles_once(app):
    """The session's user comes with their roles (one query, no lazy load of the roles afterwards), and
    the navigation's task counts are read once even where the page shows them twice (the 待办 page)."""
    counter = Statements(app)
    try:
        manager = _signed_in(app, "manager_sh001")
        manager.get("/tasks")
        _, sent = counter.during(lambda: manager.get("/tasks"))
    finally:
        counter.close()
    assert not [s for s in sent if s.startswith("SELECT role_assignment.id")], "\n".join(sent)
    badge_counts = [s for s in sent if s.startswith("SELECT count(*) AS count_1 FROM human_task")]
    assert len(badge_counts) == 2, "\n".join(sent)  # mine + claimable, once each
