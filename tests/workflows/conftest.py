"""A small in-memory driver for walking the models: SpiffWorkflow, the engine's restricted script
engine, the engine's form cleaning, and a fake clock for the timers. No database, no users.

`Case.complete(element_id, data, role=..., store_code=...)` completes the READY user task of that
element the way the engine would (the form drops read-only fields and rejects bad data with field
errors) after checking who would get it (lane role, and the case's store for store- and
region-scoped lanes), and returns the ids of the READY user tasks that follow. The `world` fixture
below replays the same walks through the engine API (SQL, engine commands, timers) as the demo users.
"""
from __future__ import annotations

import copy
import functools
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import InvalidData, PermissionDenied
from engine.forms import validation as forms
from engine.sandbox.script_engine import make_script_engine
from workflows import BPMN_DIR
from workflows.form_schemas import load_form
from workflows.roles import REGION_SCOPED, STORE_SCOPED

# Monday 2 November 2026, 09:00 in Shanghai.
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
#: The business time zone the shipped models are written for (config.py's BUSINESS_TIMEZONE).
SHANGHAI = ZoneInfo("Asia/Shanghai")
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
        scripts = make_script_engine(clock=clock, zone=SHANGHAI)
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=scripts)
        self.reached: list[str] = []
        self.outcomes: list[str] = []
        self.seen: dict[str, list[dict[str, Any]]] = {}
        start = self.workflow.get_next_task(state=TaskState.READY)
        self.start_data = forms.clean(self.form(spec.task_specs["start"]), data, now=clock(), zone=SHANGHAI)
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
        clean = forms.clean(self.form(task.task_spec), data, task.data, now=self.clock(), zone=SHANGHAI)
        task.data.update(clean)
        task.run()
        self._run()
        return self.ready_ids()

    def refused(self, element_id: str, *, role: str, store_code: str | None = None, **changes: Any
                ) -> dict[str, str]:
        """The field errors that refuse the sample submission of a READY step with `changes`."""
        with pytest.raises(InvalidData) as refusal:
            self.complete(element_id, self.sample(element_id, store_code, **changes), role=role,
                          store_code=store_code)
        return refusal.value.fields

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


# -- the same walks through the engine API, as the demo users ---------------------------------
# `world` is a fresh SQLite file with the demo data loaded and bpmn/ deployed, an Engine on a
# FrozenClock and the registry's catalogue, and helpers that run one command per transaction.
# `world.complete` checks, before it completes a step: exactly the expected demo users see the task
# (lane role and store/region scope of DESIGN.md section 2) and everyone else is refused; the task's
# form renders against its case data (every readOnly field present and of its type); an empty and an
# out-of-range submission get field errors and change nothing.

ROLE_HOLDERS: dict[str, frozenset[str]] = {  # DESIGN.md section 2, written out by hand
    "ops_director": frozenset({"director"}), "cs_agent": frozenset({"cs_li", "cs_wang"}),
    "cs_manager": frozenset({"cs_manager"}), "merchandiser": frozenset({"merch_zhao"}),
    "warehouse_keeper": frozenset({"warehouse_qian"}), "trainer": frozenset({"trainer_sun"}),
    "marketing": frozenset({"marketing_zhou"}), "finance": frozenset({"finance_wu"}),
    "analyst": frozenset({"analyst_zheng"}),
}
STORE_MANAGER = {"SH001": "manager_sh001", "SH002": "manager_sh002", "HZ001": "manager_hz001",
                 "SH003": "manager_sh003", "NJ01": "franchisee_nj01"}
EAST_STORES = frozenset(STORE_MANAGER)  # every demo store is in region EAST


def expected_holders(role: str | None, store_code: str | None) -> frozenset[str]:
    if role == "store_manager":
        return frozenset({STORE_MANAGER[store_code]}) if store_code in STORE_MANAGER else frozenset()
    if role == "franchisee":
        return frozenset({"franchisee_nj01"}) if store_code == "NJ01" else frozenset()
    if role == "store_supervisor":
        return frozenset({"supervisor_east"}) if store_code in EAST_STORES else frozenset()
    return ROLE_HOLDERS.get(role or "", frozenset())


def _invalid_value(prop: dict[str, Any]) -> Any:
    """A value no form accepts for this field (None when the field has no checkable limit)."""
    if "const" in prop:
        return not prop["const"]
    if "oneOf" in prop:
        return "no_such_choice"
    kind = prop.get("type")
    if kind == "boolean":
        return "yes"
    if kind in ("number", "integer"):
        return prop.get("minimum", prop.get("exclusiveMinimum", 0)) - 1
    if kind == "array":
        return [{}] if prop.get("items", {}).get("type") == "object" else [_invalid_value(prop["items"])]
    if "pattern" in prop:
        return "!! 不合规 !!"
    if "format" in prop:
        return "2026-13-45T99:99"
    return "字" * (prop["maxLength"] + 1) if "maxLength" in prop else None


class World:
    def __init__(self, sessions: Any, engine: Any, clock: Any) -> None:
        from workflows.demo import DEMO_USERS
        self.sessions, self.engine, self.clock = sessions, engine, clock
        self.usernames = tuple(u.username for u in DEMO_USERS)
        self.rendered: dict[str, set[str]] = {}  # process key -> user tasks whose form was rendered

    # -- reading -------------------------------------------------------------------------------

    def user(self, username: str, session: Any = None) -> Any:
        from sqlalchemy import select

        from engine.models import User
        if session is not None:
            return session.scalar(select(User).where(User.username == username))
        with self.sessions() as s:
            found = s.scalar(select(User).where(User.username == username))
            list(found.roles)
            return found

    def visible_tasks(self, username: str, process: str | None = None, session: Any = None) -> list[Any]:
        """Mine + claimable, as the task list shows them."""
        from engine import queries
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
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from engine.models import User
        found = {u.username: u for u in session.scalars(
            select(User).where(User.username.in_(self.usernames)).options(selectinload(User.roles)))}
        assert len(found) == len(self.usernames), "a demo user is missing"
        return found

    def who_sees(self, task_id: int, process: str | None = None) -> set[str]:
        """The demo users whose task list (scope "all": mine + claimable) holds the task."""
        from engine import queries
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
        from engine.models import ProcessInstance
        from engine.views import case_view
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
        from engine import queries
        with self.sessions() as s:
            return queries.task_detail(self.engine, s, self.user(username, s), task_id)

    def case_data(self, task_id: int) -> dict[str, Any]:
        return self.detail("director", task_id).case  # the director sees every case

    def sample(self, task: Any, **overrides: Any) -> dict[str, Any]:
        return submission(task.process_key, task.element_id, self.case_data(task.id), **overrides)

    def row(self, instance_id: int) -> dict[str, Any]:
        from sqlalchemy import select

        from engine.models import ProcessInstance
        with self.sessions() as s:
            return dict(s.execute(select(ProcessInstance.__table__)
                                  .where(ProcessInstance.id == instance_id)).mappings().one())

    def dump(self, instance_id: int) -> tuple[Any, ...]:
        """The case's rows: instance (state and lock_version included), its tasks, its event count."""
        from sqlalchemy import func, select

        from engine.models import AuditEvent, HumanTask
        with self.sessions() as s:
            tasks = [dict(r) for r in s.execute(select(HumanTask.__table__).where(
                HumanTask.instance_id == instance_id).order_by(HumanTask.id)).mappings()]
            events = s.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.instance_id == instance_id))
        return self.row(instance_id), tasks, events

    def events(self, instance_id: int) -> list[Any]:
        from engine import queries
        with self.sessions() as s:
            return queries.case_events(s, instance_id)

    def outcomes(self, username: str) -> dict[int, str | None]:
        from engine import queries
        with self.sessions() as s:
            return {i.id: i.outcome for i in queries.recent_outcomes(s, self.user(username, s))}

    def assert_told(self, case: Any, requester: str, outcome: str) -> None:
        """The requester sees the case's outcome, told by exactly one `outcome` event."""
        assert self.outcomes(requester).get(case.id) == outcome
        [told] = [e for e in self.events(case.id) if e.event_type == "outcome"]
        assert told.message == outcome and told.data["outcome"] == outcome

    def store_status(self, code: str) -> str:
        from engine.models import Store
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
        from engine.models import HumanTask
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
        from jsonschema import Draft202012Validator, FormatChecker

        from workflows.form_schemas import readonly_fields
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
                bad = _invalid_value(schema["properties"].get(name, {}))
                if bad is not None:
                    wrong = self.refused(InvalidData, username, task.id, {**data, name: bad})
                    assert any(f == name or f.startswith(name + ".") for f in wrong.fields), wrong.fields
                    break
        return self.attempt(username, task.id, data)

    def advance(self, until: datetime | None = None, **delta: float) -> int:
        """Let time pass on the frozen clock (by `delta`, or `until` a moment) and fire the timers that
        are due then, as the scheduler would; return how many cases moved."""
        from engine.runtime.timers import fire_due_timers
        if until is not None:
            assert until >= self.clock(), "time does not go back"
            self.clock.set(until)
        self.clock.advance(**delta)
        return fire_due_timers(self.engine, self.sessions, self.clock())


_SHARED_SPECS: dict[str, Any] = {}  # the parsed versions of the template, shared by every SQLite world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One SQLite database with the demo data and bpmn/ deployed, copied for every test."""
    from engine import schema
    from engine.db import make_sessions, make_sql_engine

    path = tmp_path_factory.mktemp("world") / "template.sqlite"
    sql_engine = make_sql_engine(f"sqlite:///{path}")
    schema.create_all(sql_engine)
    _prepare(make_sessions(sql_engine))
    with sql_engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sql_engine.dispose()
    return path


def _prepare(sessions: Any) -> None:
    """The demo data of DESIGN.md section 2 and the models of bpmn/, as the run command loads them."""
    from engine.bpmn.deploy import deploy_directory
    from workflows import BPMN_DIR, FORMS_DIR
    from workflows.demo_loader import load_demo_data
    with sessions() as session:
        load_demo_data(session, T0)
        deploy_directory(session, BPMN_DIR, FORMS_DIR, now=T0)
        session.commit()


def _make_world(sql_engine: Any, shared_specs: bool) -> World:
    from engine import Engine, FrozenClock
    from engine.bpmn.specs import SpecCache
    from engine.db import make_sessions
    from workflows.catalogue import catalogue
    clock = FrozenClock(T0)
    engine = Engine(clock=clock, catalogue=catalogue(), zone=SHANGHAI)
    if shared_specs:  # every copy of the template has the same versions: parse each once per run
        engine.specs = _SHARED_SPECS.setdefault("cache", SpecCache())
    return World(make_sessions(sql_engine), engine, clock)


@pytest.fixture(params=["sqlite"])
def world(request: pytest.FixtureRequest, tmp_path: Any, world_template: Any) -> Any:
    """A fresh world on SQLite; parametrize indirectly with "postgres" to run on the test server."""
    import shutil

    from engine.db import make_sql_engine
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_world")
        return
    path = tmp_path / "db.sqlite"
    shutil.copyfile(world_template, path)
    sql_engine = make_sql_engine(f"sqlite:///{path}")
    yield _make_world(sql_engine, shared_specs=True)
    sql_engine.dispose()


@pytest.fixture
def postgres_world(own_postgres_database) -> Any:
    """The same world in a database of its own on the PostgreSQL test server (others share the
    server's default database and drop its schema)."""
    from engine import schema
    from engine.db import make_sessions, make_sql_engine

    with own_postgres_database("workflows") as url:
        sql_engine = make_sql_engine(url)
        schema.create_all(sql_engine)
        _prepare(make_sessions(sql_engine))
        yield _make_world(sql_engine, shared_specs=False)
        sql_engine.dispose()


@pytest.fixture
def user_tasks() -> Callable[[str], set[str]]:
    """The user tasks of a process, by element id (from its model source)."""
    from workflows.registry import PROCESSES
    return lambda process_key: {n.id for n in PROCESSES[process_key].source.user_tasks}
