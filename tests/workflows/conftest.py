"""A small in-memory driver for walking the models: SpiffWorkflow, the engine's restricted script
engine, the engine's form cleaning, and a fake clock for the timers. No database, no users.

`Case.complete(element_id, data, role=..., store_code=...)` completes the READY user task of that
element the way the engine would (the form drops read-only fields and rejects bad data with field
errors) after checking who would get it (lane role, and the case's store for store- and
region-scoped lanes), and returns the ids of the READY user tasks that follow. The same walks can be
replayed later through the engine API with the demo users.
"""
from __future__ import annotations

import copy
import functools
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import forms
from engine.scripting import make_script_engine
from workflows import BPMN_DIR
from workflows.form_schemas import load_form
from workflows.roles import REGION_SCOPED, STORE_SCOPED

# Monday 2 November 2026, 09:00 in Shanghai.
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
PROCESS_KEYS = ("complaint_handling", "product_return", "store_opening", "new_product_launch")


# -- sample case data ------------------------------------------------------------------------
# Realistic data: the start data of each process and one valid submission for every user task. A
# submission may be a function of the task's data when the step edits what earlier steps prepared.

Submission = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]

START: dict[str, dict[str, Any]] = {
    "complaint_handling": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员接待态度冷淡，试衣等候超过20分钟无人理会。",
        "amount_claimed": 0, "order_no": "SO-20261101-0088",
    },
    "product_return": {
        "store_code": "NJ01", "return_type": "overstock",
        "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "quantity": 20, "unit_price": 399.0},
                  {"sku": "W26-PT-1102", "name": "直筒西裤", "quantity": 15, "unit_price": 299.0}],
        "reason": "秋冬款销售不及预期，库存积压，按加盟合同申请退货。",
    },
    "store_opening": {
        "store_code": "SH003", "store_name": "上海静安寺店", "city": "上海", "address": "上海市静安区南京西路1788号1层",
        "area_sqm": 180, "store_type": "direct", "planned_opening_date": "2026-12-18", "budget": 850000,
    },
    "new_product_launch": {
        "year": 2027, "season": "spring", "collection_name": "春日序曲", "wave": 1, "sku_count": 36,
        "launch_date": "2027-02-20", "target_stores": ["SH001", "SH002", "HZ001", "NJ01"],
        "forecast_qty": 4800,
    },
}


def _receive(data: dict[str, Any]) -> dict[str, Any]:
    lines = copy.deepcopy(data["received_items"])
    lines[0]["accepted_quantity"] = lines[0]["received_quantity"] - 2
    lines[0]["defect_note"] = "2件吊牌缺失"
    return {"received_items": lines, "received_date": "2026-11-06", "inspection_result": "partial",
            "defect_confirmed": False, "defect_notes": "2件吊牌缺失，不予入库"}


def _credit(data: dict[str, Any]) -> dict[str, Any]:
    return {"credit_amount": data["default_credit_amount"], "credit_note_no": "CN-2026-1106",
            "credit_date": "2026-11-09", "finance_comment": "已与加盟商对帐"}


QUALITY = {"sku": "W26-DR-1088", "product_name": "真丝连衣裙", "defect_type": "workmanship",
           "defect_description": "腋下车缝开线，同批次门店已有3例反馈", "affected_quantity": 3,
           "corrective_action": "要求供应商排查同批次车缝工艺，并补充出厂抽检"}

SUBMIT: dict[str, dict[str, Submission]] = {
    "complaint_handling": {
        "investigate": {"findings": "监控显示周末客流高峰期试衣区仅1名店员，顾客等候约25分钟",
                        "root_cause": "高峰期排班不足", "resolution_type": "apology", "compensation_amount": 0,
                        "resolution_plan": "店长致电致歉并赠送会员积分；调整周末排班"},
        "compensation_approval": {"approved": True, "approval_comment": "同意按方案赔付"},
        "customer_follow_up": {"customer_satisfied": True, "feedback": "客户接受致歉，表示满意"},
        "final_decision": {"final_resolution": "goodwill", "final_comment": "赠送200元购物券，本投诉结案"},
        "sla_escalation": {"escalation_action": "urge_handler", "escalation_note": "已电话督促处理人今日内给出方案"},
        "quality_registration": QUALITY,
    },
    "product_return": {
        "cs_review": {"valid": True, "review_comment": "明细与进货记录一致，符合加盟退货政策"},
        "merchandiser_approval": {"approved": True, "merchandiser_comment": "同意退回，调拨华东直营店消化"},
        "director_approval": {"approved": True, "director_comment": "同意"},
        "receive_inspect": _receive,
        "quality_registration": {**QUALITY, "sku": "W26-KN-2031", "product_name": "羊毛针织开衫",
                                 "defect_type": "fabric", "defect_description": "多件起球严重"},
        "credit_note": _credit,
    },
    "store_opening": {
        "plan_approval": {"approved": True, "director_comment": "同意，注意控制装修预算"},
        "approval_reminder": {"acknowledged": True},
        "revise_plan": {"address": "上海市静安区南京西路1788号1层", "area_sqm": 160, "store_type": "direct",
                        "planned_opening_date": "2026-12-25", "budget": 780000,
                        "revision_note": "缩小面积、压缩装修预算，开业推迟一周", "revision_action": "resubmit"},
        "first_batch_allocation": {"allocation_lines": [
            {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "quantity": 120, "unit_price": 399.0},
            {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "quantity": 60, "unit_price": 1599.0}],
            "allocation_note": "按180平米A类店标准配货"},
        "first_batch_shipping": {"shipment_no": "SF1234567890", "carrier": "顺丰速运",
                                 "shipped_date": "2026-12-08", "expected_arrival_date": "2026-12-10"},
        "staff_training": {"training_date": "2026-12-05", "trainees_count": 8, "training_passed": True},
        "display_setup": {"display_completed_date": "2026-12-15", "display_standard_met": True},
        "opening_promotion": {"promotion_theme": "静安新店 开业礼遇", "promotion_start_date": "2026-12-18",
                              "promotion_end_date": "2026-12-31",
                              "promotion_channels": ["wechat", "xiaohongshu"], "promotion_budget": 50000},
        "opening_preparation": {"staff_ready": True, "licenses_ready": True, "fitout_ready": True,
                                "pos_ready": True, "staff_count": 8},
        "pre_opening_inspection": {"inspection_date": "2026-12-16", "all_passed": True},
        "remediation": {"remediation_note": "已补齐消防指示牌并更换破损灯箱", "remediation_date": "2026-12-17"},
        "first_week_report": {"actual_opening_date": "2026-12-18", "first_week_sales": 286500,
                              "first_week_orders": 612, "first_week_traffic": 4830,
                              "best_sellers": "W26-CT-3005 双面羊绒大衣",
                              "report_summary": "首周销售达成预算的112%，大衣类表现突出"},
        "opening_review": {"review_rating": "good", "review_summary": "开业筹备按期完成，首周业绩超预期",
                           "follow_up_actions": "补充大衣类库存"},
    },
    "new_product_launch": {
        "launch_plan_approval": {"approved": True, "director_comment": "同意"},
        "order_and_purchase": {"po_no": "PO-2027-0101", "supplier": "宁波华美服饰有限公司", "order_qty": 5200,
                               "expected_delivery_date": "2027-02-05"},
        "goods_receipt": {"received_qty": 5180, "receipt_date": "2027-02-06"},
        "display_guideline": {"guideline_summary": "橱窗主推碎花连衣裙，中岛按色系陈列"},
        "launch_promotion": {"promotion_theme": "春日序曲 新品上市", "promotion_channels": ["wechat", "xiaohongshu"],
                             "promotion_start_date": "2027-02-18", "promotion_budget": 60000},
        "store_shelving": {"shelved_date": "2027-02-19", "shelved_qty": 1200, "display_compliant": True},
        "sell_through_analysis": {"sell_through_rate": 42.5, "sold_qty": 2200,
                                  "best_sellers": "S27-DR-0101 碎花连衣裙", "slow_sellers": "S27-PT-0310 阔腿裤",
                                  "reorder_needed": True,
                                  "analysis_summary": "连衣裙类两周售罄超60%，建议返单"},
        "reorder": {"reorder_po_no": "PO-2027-0188",
                    "reorder_items": [{"sku": "S27-DR-0101", "quantity": 600}],
                    "expected_delivery_date": "2027-03-20"},
    },
}


def submission(process_key: str, element_id: str, data: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The sample submission for a step (investigation tasks share one), with overrides."""
    samples = SUBMIT[process_key]
    key = "investigate" if element_id.startswith("investigate_") else element_id
    sample = samples[key]
    result = sample(data) if callable(sample) else copy.deepcopy(sample)
    result.update(overrides)
    return result


@functools.lru_cache(maxsize=None)
def load_spec(process_key: str) -> tuple[Any, Any]:
    """Parsed once per test session, validated against the BPMN/DMN schemas like a deployment."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(BPMN_DIR / f"{process_key}.bpmn"))
    parser.add_dmn_files(sorted(str(p) for p in BPMN_DIR.glob("*.dmn")))
    return parser.get_spec(process_key), parser.get_subprocess_specs(process_key)


def form_filename(task_spec: Any) -> str | None:
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return properties.get("formJsonSchemaFilename")


class Clock:
    """The time SpiffWorkflow's timers and the scripts' now()/today() both read."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class Case:
    def __init__(self, process_key: str, data: dict[str, Any], clock: Clock,
                 started_by: str = "tester") -> None:
        spec, subprocess_specs = load_spec(process_key)
        self.key = process_key
        self.clock = clock
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=make_script_engine(clock=clock))
        self.reached: list[str] = []
        self.outcomes: list[str] = []
        self.seen: dict[str, list[dict[str, Any]]] = {}
        start = self.workflow.get_next_task(state=TaskState.READY)
        self.start_data = forms.clean(self.form(spec.task_specs["start"]), data)
        start.data.update(self.start_data)
        start.data["started_by"] = started_by
        self._run()

    # -- reading ---------------------------------------------------------------------------------

    def form(self, task_spec: Any) -> dict[str, Any] | None:
        filename = form_filename(task_spec)
        return load_form(self.key, filename) if filename else None

    def ready(self) -> list[Any]:
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def ready_ids(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.ready())

    def ready_task(self, element_id: str, store_code: str | None = None) -> Any:
        found = [t for t in self.ready() if t.task_spec.bpmn_id == element_id
                 and (store_code is None or t.data.get("store_code") == store_code)]
        assert len(found) == 1, f"expected one READY {element_id} ({store_code}), have {self.ready_ids()}"
        return found[0]

    def sample(self, element_id: str, store_code: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The sample submission for this READY step, with some fields changed."""
        return submission(self.key, element_id, self.ready_task(element_id, store_code).data, **overrides)

    def waiting_timers(self) -> list[Any]:
        # TimeDateEventDefinition has no "Timer" in its name: match all three timer kinds.
        return [e for e in self.workflow.waiting_events() if e.event_type in TIMER_EVENTS]

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    def last_data(self) -> dict[str, Any]:
        """The data of the last task that ran: what the case knows now on the path that ended last."""
        tasks = self.workflow.get_tasks(state=TaskState.COMPLETED)
        return max(tasks, key=lambda t: t.last_state_change).data

    # -- acting ----------------------------------------------------------------------------------

    def complete(self, element_id: str, data: dict[str, Any] | Callable[..., dict[str, Any]] | None = None, *,
                 role: str, store_code: str | None = None) -> list[str]:
        task = self.ready_task(element_id, store_code)
        assert task.task_spec.lane == role, f"{element_id} is in lane {task.task_spec.lane}, not {role}"
        if role in STORE_SCOPED or role in REGION_SCOPED:
            assert store_code and task.data.get("store_code") == store_code, \
                f"{element_id}: store_code {task.data.get('store_code')!r}, expected {store_code!r}"
        if data is None:
            data = submission(self.key, element_id, task.data)
        elif callable(data):
            data = data(task.data)
        self.seen.setdefault(element_id, []).append(copy.deepcopy(task.data))
        clean = forms.clean(self.form(task.task_spec), data)
        task.data.update(clean)
        task.run()
        self._run()
        return self.ready_ids()

    def advance(self, **delta: float) -> list[str]:
        """Let time pass and fire whatever timers are due, as the engine's scheduler would."""
        self.clock.advance(**delta)
        self.workflow.refresh_timers()
        self._run()
        return self.ready_ids()

    def _run(self) -> None:
        self.workflow.do_engine_steps(did_complete_task=self._record)

    def _record(self, task: Any) -> None:
        spec = task.task_spec
        if spec.manual or not spec.bpmn_id:
            return
        self.reached.append(spec.bpmn_id)
        outcome = ((getattr(spec, "extensions", None) or {}).get("properties") or {}).get("outcome")
        if outcome:
            self.outcomes.append(outcome)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """SpiffWorkflow reads `datetime.now` inside its timer module; point it at our clock."""
    fake = Clock(T0)

    class _Now(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            value = fake()
            if tz is not None:
                return value.astimezone(tz)
            return value.astimezone(timezone.utc).replace(tzinfo=None)

    monkeypatch.setattr(timer_module, "datetime", _Now)
    return fake


@pytest.fixture
def start_case(clock: Clock) -> Callable[..., Case]:
    """start_case("product_return", items=[...]) starts a case with the sample start data, overridden."""

    def start(process_key: str, data: dict[str, Any] | None = None, **overrides: Any) -> Case:
        payload = copy.deepcopy(START[process_key] if data is None else data)
        payload.update(overrides)
        return Case(process_key, payload, clock)

    return start


@pytest.fixture
def start_data() -> dict[str, dict[str, Any]]:
    """The sample start data of every process (a copy: tests may change it)."""
    return copy.deepcopy(START)
