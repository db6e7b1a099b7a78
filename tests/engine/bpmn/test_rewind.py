"""What SpiffWorkflow 3.2's `reset_from_task_id` does, kept as tests (the experiment `engine.bpmn.rewind`
was written from), and what `rewind` adds, in memory on the fixture model `send_back`: a plan, two
checks in parallel, a cooling-off timer, an approval with a reminder timer, a payment (point of no
return), a confirmation. A new SpiffWorkflow that behaves differently fails here first."""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import FrozenClock
from engine.bpmn.rewind import Target, rewind, send_back_targets
from engine.bpmn.specs import ParsedProcess
from engine.clock import clock_in_effect


class Case:
    def __init__(self, parsed: ParsedProcess) -> None:
        self.parsed = parsed
        self.clock = FrozenClock()
        self.workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
        self.workflow.get_next_task(state=TaskState.READY).data.update(store_code="SH001", amount=5)
        self.steps()

    def steps(self) -> None:
        with clock_in_effect(self.clock):
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()

    def ready(self) -> dict[str, object]:
        return {t.task_spec.bpmn_id: t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)}

    def do(self, element: str, **data: object) -> None:
        task = self.ready()[element]
        task.data.update(data, completed_by={element: f"{element}_person"})
        task.run()
        self.steps()

    def done(self, element: str):  # type: ignore[no-untyped-def]
        done = self.workflow.get_tasks(state=TaskState.COMPLETED)
        [task] = [t for t in done if t.task_spec.bpmn_id == element]
        return task

    def count(self, element: str) -> int:
        return sum(1 for t in self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
                   if t.task_spec.bpmn_id == element)


@pytest.fixture
def case(send_back_process) -> Case:
    return Case(send_back_process)


def at_approval(case: Case, first: str = "check_stock") -> None:
    case.do("draft_plan", plan="v1")
    for element in sorted(("check_stock", "check_staff"), key=lambda e: e != first):
        case.do(element, ok=True)
    case.clock.advance(hours=2, seconds=1)
    case.steps()
    assert list(case.ready()) == ["approve"]


def test_reset_keeps_the_task_id_and_gives_it_its_parents_data(case):
    case.do("draft_plan", plan="v1")
    plan = case.done("draft_plan")
    removed = case.workflow.reset_from_task_id(plan.id)
    assert {t.task_spec.bpmn_id for t in removed} >= {"check_stock", "check_staff", "approve"}
    assert case.workflow.get_task_from_id(plan.id) is plan and plan.state == TaskState.READY
    assert "plan" not in plan.data  # its own entries are gone: send_back keeps them as the draft


def test_a_removed_timer_stays_registered_and_breaks_the_next_refresh_unless_rewind_drops_it(case):
    at_approval(case)
    plan = case.done("draft_plan")
    case.workflow.reset_from_task_id(plan.id)  # the reminder timer on the approval is removed...
    stale = [t for t in case.workflow.event_manager.tasks.values() if t.id not in case.workflow.tasks]
    assert [t.task_spec.bpmn_id for t in stale] == ["remind_approve"]  # ...but still registered
    with pytest.raises(AttributeError):
        case.workflow.refresh_timers()

    fresh = Case(case.parsed)
    at_approval(fresh)
    rewind(fresh.workflow, Target(fresh.done("draft_plan")))
    fresh.steps()
    assert list(fresh.ready()) == ["draft_plan"] and fresh.workflow.waiting_events() == []


@pytest.mark.parametrize("first", ["check_stock", "check_staff"])
def test_after_a_join_the_other_branch_is_rewound_with_the_join(case, first):
    at_approval(case, first)
    approve = case.ready()["approve"]
    targets = {t.element_id: t for t in send_back_targets(case.workflow, approve)}
    assert set(targets) == {"check_stock", "check_staff", "draft_plan"}
    [other] = [t for t in targets.values() if t.join is not None]  # the branch the steps do not hang under
    assert other.element_id in ("check_stock", "check_staff")

    # the library alone: the approval stays open beside the reopened check
    alone = Case(case.parsed)
    at_approval(alone, first)
    alone.workflow.reset_from_task_id(alone.done(other.element_id).id)
    alone.steps()
    assert set(alone.ready()) == {"approve", other.element_id}

    rewind(case.workflow, other)
    case.steps()
    assert list(case.ready()) == [other.element_id]
    case.do(other.element_id, ok=False)
    case.clock.advance(hours=2, seconds=1)
    case.steps()
    assert list(case.ready()) == ["approve"] and case.count("cool_off") == 0 and case.count("approve") == 1


def test_a_running_sibling_branch_is_not_on_the_path(case):
    case.do("draft_plan", plan="v1")
    case.do("check_staff", ok=True)
    assert [t.element_id for t in send_back_targets(case.workflow, case.ready()["check_stock"])] == [
        "draft_plan"]


def test_nothing_before_a_passed_point_of_no_return(case):
    at_approval(case)
    case.do("approve", approved=True)
    targets = send_back_targets(case.workflow, case.ready()["pay_refund"])
    assert targets[0].element_id == "approve"
    case.do("pay_refund", paid=True)
    assert send_back_targets(case.workflow, case.ready()["confirm_fix"]) == []
