"""The demo world through the engine API: a database with the demo data and bpmn/ deployed, an
Engine on a frozen clock and the registry's catalogue, and one command per transaction, as the web
layer runs them.

`World.complete` checks, before it completes a step: exactly the expected demo users see the task
(`cast`) and everyone else is refused; the task's form renders against its case data (every
readOnly field present and of its type); an empty and an out-of-range submission get field errors
and change nothing. `World.advance` lets time pass on the frozen clock and fires the due timers as
the server's scheduler does."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Callable

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engine import queries
from engine.errors import InvalidData, PermissionDenied
from engine.models import AuditEvent, HumanTask, ProcessInstance, Store, User
from engine.runtime.timers import fire_due_timers
from engine.views import case_view
from workflows.demo import DEMO_USERS
from workflows.form_schemas import readonly_fields

from .cast import expected_holders
from .invalid_values import invalid_value
from .samples import START, Submission, submission


class World:
    def __init__(self, sessions: Any, engine: Any, clock: Any) -> None:
        self.sessions, self.engine, self.clock = sessions, engine, clock
        self.usernames = tuple(u.username for u in DEMO_USERS)
        self.rendered: dict[str, set[str]] = {}  # process key -> user tasks whose form was rendered

    # -- reading -------------------------------------------------------------------------------

    def user(self, username: str, session: Any = None) -> Any:
        if session is not None:
            return session.scalar(select(User).where(User.username == username))
        with self.sessions() as s:
            found = s.scalar(select(User).where(User.username == username))
            list(found.roles)
            return found

    def visible_tasks(self, username: str, process: str | None = None, session: Any = None) -> list[Any]:
        """Mine + claimable, as the task list shows them."""
        if session is None:
            with self.sessions() as s:
                return self.visible_tasks(username, process, s)
        user = self.user(username, session)
        found = []
        for scope in ("mine", "claimable"):
            wanted = queries.TaskFilter(scope=scope, process=process, per_page=100)
            page = queries.list_tasks(session, user, wanted, self.clock())
            assert page.total == len(page.items), "more than one page of tasks"
            found.extend(page.items)
        return found

    def users(self, session: Any) -> dict[str, Any]:
        """Every demo user, loaded with their roles in one query."""
        found = {u.username: u for u in session.scalars(
            select(User).where(User.username.in_(self.usernames)).options(selectinload(User.roles)))}
        assert len(found) == len(self.usernames), "a demo user is missing"
        return found

    def who_sees(self, task_id: int, process: str | None = None) -> set[str]:
        """The demo users whose task list (scope "all": mine + claimable) holds the task."""
        seen = set()
        with self.sessions() as s:
            for name, user in self.users(s).items():
                wanted = queries.TaskFilter(scope="all", process=process, per_page=100)
                page = queries.list_tasks(s, user, wanted, self.clock())
                assert page.total == len(page.items), "more than one page of tasks"
                if task_id in {t.id for t in page.items}:
                    seen.add(name)
        return seen

    def instance(self, instance_id: int) -> Any:
        with self.sessions() as s:
            return case_view(s, s.get(ProcessInstance, instance_id))

    def open_ids(self, instance_id: int) -> list[str]:
        return sorted(t.element_id for t in self.instance(instance_id).open_tasks)

    def task(self, instance_id: int, element_id: str, store_code: str | None = None) -> Any:
        found = [t for t in self.instance(instance_id).open_tasks if t.element_id == element_id
                 and (store_code is None or t.store_code == store_code)]
        assert len(found) == 1, f"expected one open {element_id} ({store_code}): {self.open_ids(instance_id)}"
        return found[0]

    def detail(self, username: str, task_id: int) -> Any:
        with self.sessions() as s:
            return queries.task_detail(self.engine, s, self.user(username, s), task_id)

    def case_data(self, task_id: int) -> dict[str, Any]:
        return self.detail("director", task_id).case  # the director sees every case

    def sample(self, task: Any, **overrides: Any) -> dict[str, Any]:
        return submission(task.process_key, task.element_id, self.case_data(task.id), **overrides)

    def row(self, instance_id: int) -> dict[str, Any]:
        with self.sessions() as s:
            return dict(s.execute(select(ProcessInstance.__table__)
                                  .where(ProcessInstance.id == instance_id)).mappings().one())

    def dump(self, instance_id: int) -> tuple[Any, ...]:
        """The case's rows: instance (state and lock_version included), its tasks, its event count."""
        with self.sessions() as s:
            tasks = [dict(r) for r in s.execute(select(HumanTask.__table__).where(
                HumanTask.instance_id == instance_id).order_by(HumanTask.id)).mappings()]
            events = s.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.instance_id == instance_id))
        return self.row(instance_id), tasks, events

    def events(self, instance_id: int) -> list[Any]:
        with self.sessions() as s:
            return queries.case_events(s, instance_id)

    def outcomes(self, username: str) -> dict[int, str | None]:
        with self.sessions() as s:
            return {i.id: i.outcome for i in queries.recent_outcomes(s, self.user(username, s))}

    def assert_told(self, case: Any, requester: str, outcome: str) -> None:
        """The requester sees the case's outcome, told by exactly one `outcome` event."""
        assert self.outcomes(requester).get(case.id) == outcome
        [told] = [e for e in self.events(case.id) if e.event_type == "outcome"]
        assert told.message == outcome and told.data["outcome"] == outcome

    def store_status(self, code: str) -> str:
        with self.sessions() as s:
            return s.get(Store, code).status

    # -- commands: one transaction each, rolled back when refused -------------------------------

    def run(self, username: str, command: Callable[..., Any], *args: Any) -> Any:
        with self.sessions() as s:
            try:
                result = command(s, *args[:1], self.user(username, s), *args[1:])
                s.commit()
                return result
            except Exception:
                s.rollback()
                raise

    def start(self, username: str, process_key: str, data: dict[str, Any] | None = None,
              **overrides: Any) -> Any:
        payload = copy.deepcopy(START[process_key] if data is None else data)
        payload.update(overrides)
        with self.sessions() as s:
            try:
                view = self.engine.start(s, process_key, self.user(username, s), payload)
                s.commit()
                return view
            except Exception:
                s.rollback()
                raise

    def claim(self, username: str, task_id: int) -> Any:
        return self.run(username, self.engine.claim, task_id)

    def assign(self, username: str, task_id: int, assignee: str) -> Any:
        return self.run(username, self.engine.assign, task_id, assignee)

    def attempt(self, username: str, task_id: int, data: dict[str, Any]) -> Any:
        """Complete a task, committing; the caller expects a refusal or not."""
        return self.run(username, self.engine.complete, task_id, data)

    def refused(self, error: type, username: str, task_id: int, data: dict[str, Any]) -> Any:
        """Assert the completion is refused with `error` and that the case's rows did not change."""
        with self.sessions() as s:
            instance_id = s.get(HumanTask, task_id).instance_id
        before = self.dump(instance_id)
        with pytest.raises(error) as refusal:
            self.attempt(username, task_id, data)
        assert self.dump(instance_id) == before, "a refused command changed the case"
        return refusal.value

    def complete(self, username: str, task: Any, data: Submission | None = None, *, check: bool = True,
                 **overrides: Any) -> Any:
        """Complete `task` as `username` with the sample submission (or `data`), after the checks above."""
        assert username in expected_holders(task.role, task.store_code), \
            f"{username} does not hold {task.role} for {task.store_code}"
        detail = self.detail(username, task.id)
        assert detail.may_act and detail.form, f"{username} cannot act on {task.element_id}"
        claimed_by = detail.task.assignee  # once claimed, the task is its assignee's alone
        holders = {claimed_by} if claimed_by else expected_holders(task.role, task.store_code)
        if check:
            seen = self.who_sees(task.id, task.process_key)
            assert seen == holders, f"{task.element_id} ({task.store_code}) is seen by {sorted(seen)}"
        schema, case = detail.form, detail.case
        missing = [k for k in readonly_fields(schema) if k not in case]
        assert missing == [], f"{task.element_id}: the form shows {missing}, which the case does not have"
        shown = {"type": "object",
                 "properties": {k: schema["properties"][k] for k in readonly_fields(schema)}}
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in Draft202012Validator(shown, format_checker=FormatChecker()).iter_errors(case)]
        assert errors == [], f"{task.element_id}: case data does not fit its form: {errors}"
        self.rendered.setdefault(task.process_key, set()).add(task.element_id)
        if data is None:
            data = submission(task.process_key, task.element_id, case, **overrides)
        elif callable(data):
            data = data(case)
        if check:
            before = self.dump(task.instance_id)
            with self.sessions() as s:
                for name, user in self.users(s).items():
                    if name not in holders:
                        with pytest.raises(PermissionDenied):
                            self.engine.complete(s, task.id, user, data)
            assert self.dump(task.instance_id) == before, "a refused completion changed the case"
            empty = self.refused(InvalidData, username, task.id, {})
            required = set(schema["required"]) - set(readonly_fields(schema))
            assert set(empty.fields) == required, f"{task.element_id}: {empty.fields}"
            for name in sorted(data):
                bad = invalid_value(schema["properties"].get(name, {}))
                if bad is not None:
                    wrong = self.refused(InvalidData, username, task.id, {**data, name: bad})
                    assert any(f == name or f.startswith(name + ".") for f in wrong.fields), wrong.fields
                    break
        return self.attempt(username, task.id, data)

    def advance(self, until: datetime | None = None, **delta: float) -> int:
        """Let time pass on the frozen clock (by `delta`, or `until` a moment) and fire the timers that
        are due then, as the scheduler would; return how many cases moved."""
        if until is not None:
            assert until >= self.clock(), "time does not go back"
            self.clock.set(until)
        self.clock.advance(**delta)
        return fire_due_timers(self.engine, self.sessions, self.clock())
