"""Every step of every process open at once, for the page sweep: each step's task page is then there to
be opened by the demo user who holds it.

A case is walked with the sample submissions (tests/workflows/samples.py) until a step appears that
no earlier case has left open; that case stays there, and the next one is walked from the start to the
step after. A route's start data and submissions choose the branches (a rejected plan, a failed
inspection, a customer left unhappy); when only a timer is waiting, the clock moves to it. Every case
starts at the samples' time (the clock's start, early November 2026, as in the model tests), and the
clock is left at the latest time any case reached."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from engine import queries
from engine.clock import FrozenClock
from engine.models import HumanTask, ProcessInstance, User
from tests.workflows.cast import actor
from tests.workflows.model_case import STARTERS
from tests.workflows.samples import START, submission

UNHAPPY = {"customer_satisfied": False, "feedback": "不满意，要求重新处理"}
COATS = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "quantity": 20, "unit_price": 1599.0}]


@dataclass(frozen=True)
class Route:
    """Start data overrides, the hours to wait after starting (an escalation timer), per step the
    overrides of its successive submissions in one case (the last one repeats; a function of the case
    data shown gives them from it), and per step the hours to wait the first time it is open, before
    doing it (a boundary timer on it)."""
    start: dict[str, Any] = field(default_factory=dict)
    wait_hours: float = 0
    submit: dict[str, list[Any]] = field(default_factory=dict)
    wait_before: dict[str, float] = field(default_factory=dict)
    #: started by the process's schedule at this moment instead: its case for `start`'s store_code, or
    #: for no store (the warehouse's count) without one
    scheduled_at: datetime | None = None


def _short(first_line_short_by: int) -> Any:
    """A receipt whose first line came `first_line_short_by` pieces short (差异 / 少货)."""
    def overrides(data: dict[str, Any]) -> dict[str, Any]:
        lines = [dict(r) for r in data["received_items"]]
        lines[0]["received_quantity"] = max(0, lines[0]["received_quantity"] - first_line_short_by)
        return {"received_items": lines, "received_date": "2026-11-05"}
    return overrides


def _loss(coats: int) -> Any:
    """The merchandiser's book stock: `coats` more coats booked than counted."""
    def overrides(data: dict[str, Any]) -> dict[str, Any]:
        lines = [dict(r) for r in data["reconcile_lines"]]
        lines[0]["book_quantity"] = lines[0]["counted_quantity"] + coats
        return {"reconcile_lines": lines, "recount": False, "reconcile_comment": f"大衣短少{coats}件"}
    return overrides


BIG = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 40,
        "unit_price": 1599.0}]  # 63 960 元: the director approves a transfer


ROUTES: dict[str, list[Route]] = {
    "complaint_handling": [
        Route(),  # a service complaint at SH001: its store investigates, the customer is called back
        Route(start={"category": "product_quality", "amount_claimed": 800}, wait_hours=49,
              submit={"investigate_merch": [{"compensation_amount": 800}, {}],
                      "customer_follow_up": [UNHAPPY, UNHAPPY, UNHAPPY, {}]}),
        Route(start={"category": "logistics"}),
        Route(start={"amount_claimed": 20000}),
    ],
    "product_return": [
        Route(start={"return_type": "quality", "items": COATS},
              submit={"receive_inspect": [{"defect_confirmed": True}]}),
    ],
    "store_opening": [
        Route(wait_hours=49, submit={
            "plan_approval": [{"approved": False, "director_comment": "预算偏高"}, {}],
            "revise_plan": [{"budget": 1_200_000}],
            "pre_opening_inspection": [{"all_passed": False, "inspection_issues": "灯箱破损"}, {}]}),
    ],
    "new_product_launch": [Route(start={"target_stores": ["SH001", "NJ01"]})],
    "stock_transfer": [
        Route(),  # SH002 ships to SH001: approved by merchandising, shipped by the store, received
        Route(wait_before={"ship_from_store": 73}),  # not shipped in 72 h: the merchandiser chases
        Route(wait_before={"confirm_receipt": 121}),  # not received in 5 days: the supervisor chases
        Route(submit={"confirm_receipt": [_short(1)]}),  # a line short: merchandising resolves it
        # from the warehouse to a franchise store, above 50,000: every approval, finance settles
        Route(start={"store_code": "NJ01", "ship_from": "warehouse", "from_store": "", "items": BIG}),
    ],
    "franchise_order": [
        Route(),
        Route(submit={"cs_check": [{"credit_limit": 50000, "outstanding_balance": 40000}]}),
        Route(wait_before={"ship_from_warehouse": 73}),
        Route(submit={"confirm_receipt": [_short(2)]}),  # 少货: the warehouse checks, finance credits
    ],
    "expense_claim": [
        Route(),  # SH001's supplies and repair: the supervisor approves, finance pays
        Route(start={"claim_lines": [{"category": "repair", "expense_date": "2026-10-30", "amount": 12000,
                                      "note": "空调维修"}]}),  # above 10,000: the director and finance 会签
    ],
    "store_inspection": [
        Route(),  # two items below standard: rectified by the manager, re-checked
        # the winter season starts at 09:00 on 1 December: SH001's inspection waits for the trainer
        Route(scheduled_at=datetime(2026, 12, 1, 1, tzinfo=timezone.utc), start={"store_code": "SH001"}),
    ],
    "monthly_stocktake": [
        Route(submit={"reconcile": [_loss(10)]}),  # 10 coats short at SH001: the director approves
        Route(scheduled_at=datetime(2026, 11, 30, 18, tzinfo=timezone.utc)),  # 1 December: the warehouse
    ],
}
#: The steps of a shared sub-process a caller reaches (its task pages are the caller's).
CALLED_STEPS = {"stock_transfer": ("ship_from_store", "ship_from_warehouse", "ship_escalation"),
                "franchise_order": ("ship_from_warehouse", "ship_escalation")}

MAX_STEPS = 80  # completions in one case: a route that loops for ever fails instead of hanging


@dataclass(frozen=True)
class OpenStep:
    task_id: int
    case_id: int
    username: str  # the demo user who holds it


class EveryStep:
    """Walks the cases on `app` (built with `clock` as its CLOCK); `steps` maps (process, element) to
    an open task of it, `cases` each process to the case the walk took furthest (the longest history
    for its case page), `missed` says what went wrong."""

    def __init__(self, app: Any, clock: FrozenClock) -> None:
        self.app, self.clock = app, clock
        self.start_at = self.latest = clock()
        self.steps: dict[tuple[str, str], OpenStep] = {}
        self.cases: dict[str, int] = {}
        self.furthest: dict[str, int] = {}
        self.missed: list[str] = []
        self.scheduled: set[int] = set()  # the scheduled cases walked

    def walk_all(self) -> EveryStep:
        for process, routes in ROUTES.items():
            for route in routes:
                try:
                    self.walk(process, route)
                except Exception as error:  # noqa: BLE001 - reported by the pages it leaves unreached
                    self.missed.append(f"{process} {route}: {type(error).__name__}: {error}")
        self.clock.set(self.latest)
        return self

    def walk(self, process: str, route: Route) -> None:
        for _ in range(40):
            if self._walk_one(process, route):
                return
        raise AssertionError("a new step in every one of 40 cases")

    def _walk_one(self, process: str, route: Route) -> bool:
        """One case from its start until it leaves a new step open (False) or ends or stalls (True)."""
        from webapp.extensions import db, engine
        done: dict[str, int] = {}
        waited: set[str] = set()
        self.clock.set(self.start_at)
        with self.app.app_context():
            session = db.session
            if route.scheduled_at is not None:
                case = self._scheduled(session, process, route.scheduled_at, route.start.get("store_code"))
                if case is None:
                    return True
            else:
                data = {**copy.deepcopy(START[process]), **route.start}
                case = engine().start(session, process, self._user(session, STARTERS[process]), data)
                session.commit()
            if route.wait_hours:
                self._move_clock(session, case.id, self.clock() + timedelta(hours=route.wait_hours))
            for _ in range(MAX_STEPS):
                rows = session.scalars(select(HumanTask).where(
                    HumanTask.instance_id == case.id, HumanTask.state == "open").order_by(HumanTask.id)).all()
                if not rows:
                    due = session.get(ProcessInstance, case.id).next_timer_at
                    if due is None:
                        return True
                    self._move_clock(session, case.id, due + timedelta(minutes=1))
                    continue
                if sum(done.values()) >= self.furthest.get(process, 0):
                    self.cases[process], self.furthest[process] = case.id, sum(done.values())
                new = [r for r in rows if (process, r.element_id) not in self.steps]
                for row in new:
                    self.steps[(process, row.element_id)] = OpenStep(row.id, case.id,
                                                                    actor(row.lane_role, row.store_code))
                if new:
                    return False
                row = rows[0]
                if row.element_id in route.wait_before and row.element_id not in waited:
                    waited.add(row.element_id)
                    self._move_clock(session, case.id,
                                     self.clock() + timedelta(hours=route.wait_before[row.element_id]))
                    continue
                user = self._user(session, actor(row.lane_role, row.store_code))
                shown = queries.task_detail(engine(), session, user, row.id).case
                changes = route.submit.get(row.element_id, [{}])
                count = done.get(row.element_id, 0)
                done[row.element_id] = count + 1
                change = changes[min(count, len(changes) - 1)]
                overrides = change(shown) if callable(change) else change
                sample = submission(process, row.element_id, shown, **overrides)
                engine().complete(session, row.id, user, sample)
                session.commit()
        raise AssertionError(f"{process} case {case.id} still running after {MAX_STEPS} steps")

    def _scheduled(self, session: Any, process: str, when: datetime, store_code: str | None) -> Any:
        """The case for `store_code` (or for no store) that the process's schedule started by `when`,
        once (None after). A later schedule's route may have fired this one's period already."""
        from sqlalchemy.orm import Session

        from engine.runtime import run_schedules
        from webapp.extensions import db, engine
        self.clock.set(when)
        self.latest = max(self.latest, when)
        run_schedules(engine(), lambda: Session(db.engine))
        column = ProcessInstance.store_code
        store = column == store_code if store_code else column.is_(None)
        case = session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_key == process, ProcessInstance.started_by_id.is_(None), store,
            ProcessInstance.id.not_in(self.scheduled or {0})).order_by(ProcessInstance.id.desc())).first()
        if case is not None:
            self.scheduled.add(case.id)
        return case

    def _move_clock(self, session: Any, case_id: int, when: Any) -> None:
        from webapp.extensions import engine
        if when > self.clock():
            self.clock.set(when)
            self.latest = max(self.latest, when)
        engine().fire_timers(session, case_id, self.clock())
        session.commit()

    @staticmethod
    def _user(session: Any, username: str) -> User:
        return session.scalars(select(User).where(User.username == username)).one()
