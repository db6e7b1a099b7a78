"""One case of a model, walked step by step through the engine in the words of the model: "the
store manager of SH001 completes `investigate_store`". Every step is an engine command in its own
transaction on the `World`'s database (start, complete, the timers the scheduler fires), so the
forms, who may act, the timers and the outcomes are the engine's own; the demo user a step runs as
is the one the cast names for the lane's role and store.

`complete` returns the element ids of the open tasks that follow, as the engine's case shows them.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import queries
from engine.errors import InvalidData
from engine.models import HumanTask, ProcessInstance
from engine.views import TaskView

from .cast import actor
from .samples import Submission, submission
from .world import World

STARTERS = {"complaint_handling": "cs_li", "product_return": "franchisee_nj01",
            "store_opening": "supervisor_east", "new_product_launch": "merch_zhao",
            "stock_transfer": "merch_zhao", "franchise_order": "franchisee_nj01",
            "expense_claim": "manager_sh001", "store_inspection": "supervisor_east",
            "monthly_stocktake": "merch_zhao"}


@dataclass(frozen=True)
class OpenTask:
    """An open task row and the data its form starts from."""
    row: TaskView
    data: dict[str, Any]

    @property
    def role(self) -> str | None:
        return self.row.role

    @property
    def store_code(self) -> str | None:
        return self.row.store_code


class ModelCase:
    def __init__(self, world: World, process_key: str, data: dict[str, Any] | None = None,
                 *, case_id: int | None = None, **overrides: Any) -> None:
        """Start a case as the process's usual requester, or walk `case_id`, one already started (by the
        process's schedule)."""
        self.world, self.key = world, process_key
        self.id = case_id if case_id is not None else \
            world.start(STARTERS[process_key], process_key, data, **overrides).id
        self.seen: dict[str, list[dict[str, Any]]] = {}  # element -> the task data of each completion

    # -- reading ---------------------------------------------------------------------------------

    def ready_ids(self) -> list[str]:
        return self.world.open_ids(self.id)

    def ready(self, element_id: str | None = None, store_code: str | None = None,
              role: str | None = None) -> list[OpenTask]:
        """The open tasks (of `element_id`, for `store_code`, of `role`: the approvers of one step
        may hold different roles), each as the cast's holder of its role opens it: the data its form
        starts from is the task page's."""
        wanted = select(HumanTask).where(HumanTask.instance_id == self.id, HumanTask.state == "open")
        if element_id is not None:
            wanted = wanted.where(HumanTask.element_id == element_id)
        if role is not None:
            wanted = wanted.where(HumanTask.lane_role == role)
        if store_code is not None:
            wanted = wanted.where(HumanTask.store_code == store_code)
        with self.world.sessions() as s:
            found = []
            for row in s.scalars(wanted.order_by(HumanTask.id)).all():
                user = self.world.user(actor(row.lane_role, row.store_code), s)
                detail = queries.task_detail(self.world.engine, s, user, row.id)
                found.append(OpenTask(detail.task, detail.case))
            return found

    def ready_task(self, element_id: str, store_code: str | None = None, role: str | None = None
                   ) -> OpenTask:
        found = self.ready(element_id, store_code, role)
        assert len(found) == 1, f"expected one open {element_id} ({store_code}): {self.ready_ids()}"
        return found[0]

    def sample(self, element_id: str, store_code: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The sample submission for this open step, with some fields changed."""
        return submission(self.key, element_id, self.ready_task(element_id, store_code).data, **overrides)

    @property
    def next_timer(self) -> datetime | None:
        """When the case's earliest waiting timer is due, as the scheduler reads it."""
        return self.world.row(self.id)["next_timer_at"]

    @property
    def completed(self) -> bool:
        return self.world.row(self.id)["status"] == "completed"

    @property
    def outcomes(self) -> list[str]:
        """How the case ended, as the `outcome` events told the requester."""
        return [e.message for e in self.world.events(self.id) if e.event_type == "outcome"]

    @property
    def reached(self) -> list[str]:
        """The automatic elements the case passed (events, gateways, scripts), in order."""
        return [e.element_id for e in self.world.events(self.id) if e.event_type == "step"]

    def data(self) -> dict[str, Any]:
        """The case data as the case page shows it: all of it once the case has ended."""
        with self.world.sessions() as s:
            return queries.case_data(self.world.engine, s, s.get(ProcessInstance, self.id))

    # -- acting ----------------------------------------------------------------------------------

    def complete(self, element_id: str, data: Submission | None = None, *, role: str,
                 store_code: str | None = None) -> list[str]:
        """Complete the open `element_id` as the demo user holding `role` (for `store_code`)."""
        task = self.ready_task(element_id, store_code, role)
        assert task.role == role, f"{element_id} is in lane {task.role}, not {role}"
        if data is None:
            data = submission(self.key, element_id, task.data)
        elif callable(data):
            data = data(task.data)
        self.seen.setdefault(element_id, []).append(copy.deepcopy(task.data))
        done = self.world.attempt(actor(role, store_code), task.row.id, data)
        return sorted(t.element_id for t in done.open_tasks)

    def refused(self, element_id: str, *, role: str, store_code: str | None = None, **changes: Any
                ) -> dict[str, str]:
        """The field errors that refuse the sample submission of an open step with `changes` (the
        case's rows stay as they were)."""
        task = self.ready_task(element_id, store_code)
        sample = submission(self.key, element_id, task.data, **changes)
        return self.world.refused(InvalidData, actor(role, store_code), task.row.id, sample).fields

    def advance(self, **delta: float) -> list[str]:
        """Let time pass and fire the timers then due, as the engine's scheduler does."""
        self.world.advance(**delta)
        return self.ready_ids()
