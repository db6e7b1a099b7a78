"""The process registry: who may start each process, how a case is titled and keyed, when each
step is due, what its steps and outcomes are called in English, and who oversees its cases.

Due hours, priorities and English step names come from the model sources in
`workflows/model_sources/`, the same place the BPMN is generated from, so a step is named and timed
in one place; the generated BPMN carries them too (`dueInHours`, `priority`) for portability.

Store opening: a case may only start for a store whose status is "planned", and its end event
carries `outcome` = "opened" with `store_status` = "open" in the case data, which the engine
applies to the store row when the case completes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from engine.policy import ProcessPolicy, SupervisionRules

from .advances import offset_advance
from .model_sources import (
    ProcessSource,
    complaint_handling,
    expense_claim,
    franchise_order,
    monthly_stocktake,
    new_product_launch,
    product_return,
    ship_goods,
    stock_transfer,
    store_inspection,
    store_opening,
)

OUTCOMES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "closed": ("已结案", "Closed"),
    "rejected": ("已驳回", "Rejected"),
    "expired": ("超期关闭", "Expired"),
    "credited": ("已退款", "Credited"),
    "withdrawn": ("已撤销", "Withdrawn"),
    "opened": ("已开业", "Opened"),
    "launched": ("已上市", "Launched"),
    "completed": ("已完成", "Completed"),
    "terminated": ("已终止", "Terminated"),
    "transferred": ("已调拨", "Transferred"),
    "cancelled": ("已取消", "Cancelled"),
    "delivered": ("已收货", "Delivered"),
    "paid": ("已付款", "Paid"),
    "adjusted": ("已调账", "Books adjusted"),
})

#: Shared sub-processes: started by nobody, called by the processes below (their forms live in
#: `forms/<key>/` like a process's; their steps are the calling case's steps).
SHARED_SUBPROCESSES: Mapping[str, ProcessSource] = MappingProxyType({"ship_goods": ship_goods.PROCESS})


@dataclass(frozen=True)
class ProcessEntry:
    key: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    starter_roles: frozenset[str]
    title: str
    business_key_prefix: str
    source: ProcessSource = field(repr=False)
    start_store_status: str | None = None
    start_store_kind: str | None = None
    store_list_fields: tuple[str, ...] = ()
    store_fields: tuple[str, ...] = ()
    #: the shared sub-processes its call activities call (their steps are the case's steps)
    called: tuple[ProcessSource, ...] = field(default=(), repr=False)
    on_start: Callable[..., Mapping[str, Any]] | None = field(default=None, repr=False)

    @property
    def task_due_hours(self) -> dict[str, float]:
        return {n.id: n.due for n in self.source.user_tasks if n.due is not None}

    @property
    def task_priority(self) -> dict[str, int]:
        return {n.id: n.priority for n in self.source.user_tasks if n.priority is not None}

    @property
    def step_names_en(self) -> dict[str, str]:
        """English names of every named element, the called processes' too, for the UI and the case
        timeline."""
        return {n.id: n.en for source in (*self.called, self.source) for n in source.nodes if n.en}

    @property
    def outcomes(self) -> list[str]:
        return sorted({n.outcome for n in self.source.nodes if n.outcome})

    def policy(self) -> ProcessPolicy:
        return ProcessPolicy(key=self.key, starter_roles=self.starter_roles,
                             start_store_status=self.start_store_status,
                             start_store_kind=self.start_store_kind, title_template=self.title,
                             business_key_prefix=self.business_key_prefix,
                             task_due_hours=MappingProxyType(self.task_due_hours),
                             task_priority=MappingProxyType(self.task_priority),
                             store_list_fields=self.store_list_fields, store_fields=self.store_fields,
                             on_start=self.on_start)


PROCESSES: Mapping[str, ProcessEntry] = MappingProxyType({e.key: e for e in (
    ProcessEntry(
        key="complaint_handling", name_zh="客户投诉处理", name_en="Complaint handling",
        description_zh="登记客户投诉，自动分级分派，调查处理、赔付审批、客户回访直至结案；超时自动督办。",
        description_en="Register a customer complaint, triage and route it, investigate, approve "
                       "compensation, follow up with the customer until closed; overdue handling is "
                       "escalated.",
        starter_roles=frozenset({"cs_agent", "store_manager", "franchisee"}),
        title="{customer_name}投诉 · {store_code}", business_key_prefix="CP",
        source=complaint_handling.PROCESS),
    ProcessEntry(
        key="product_return", name_zh="退货申请", name_en="Product return",
        description_zh="门店或加盟商申请退货：客服审核、按规则审批、仓库收货检验、财务退款对帐。",
        description_en="A store or franchisee returns goods: customer-service review, rule-based approvals, "
                       "warehouse receipt and inspection, finance credit note.",
        starter_roles=frozenset({"franchisee", "store_manager", "cs_agent"}),
        title="{store_code}退货申请 · {reason:.20}", business_key_prefix="RT",
        source=product_return.PROCESS),
    ProcessEntry(
        key="store_opening", name_zh="新店开业", name_en="Store opening",
        description_zh="直营主管提交开业方案，运营总监审批，各部门并行筹备，开业前检视，开业首周总结。",
        description_en="The store supervisor proposes an opening plan, the director approves it, "
                       "departments prepare in parallel, the store is inspected, opened and reviewed after "
                       "its first week.",
        starter_roles=frozenset({"store_supervisor"}), start_store_status="planned",
        title="{store_name}开业 · {planned_opening_date}", business_key_prefix="SO",
        source=store_opening.PROCESS),
    ProcessEntry(
        key="new_product_launch", name_zh="新品上市", name_en="New product launch",
        description_zh="商品专员提交上市计划，运营总监审批，订货入库、陈列指引与推广并行，门店上货确认，上市14天畅滞销分析与返单。",
        description_en="The merchandiser proposes a launch, the director approves it, purchasing, display "
                       "guidelines and promotion run in parallel, stores confirm shelving, and 14 days after "
                       "launch the analyst reviews sell-through and may trigger a reorder.",
        starter_roles=frozenset({"merchandiser"}), store_list_fields=("target_stores",),
        title="{collection_name} 第{wave}波段上市 · {launch_date}", business_key_prefix="NP",
        source=new_product_launch.PROCESS),
    ProcessEntry(
        key="stock_transfer", name_zh="货品调拨", name_en="Stock transfer",
        description_zh="由门店或仓库调货到另一门店：商品部审批，涉及加盟店时客服审批，大额由运营总监审批；调出方发货，"
                       "调入门店5天内逐行确认收货，差异由商品部处理，不同所有者之间由财务结算。",
        description_en="Move goods from a store or the warehouse to another store: merchandising approves, "
                       "customer service too when a franchise store is involved, the director for large "
                       "transfers; the sender ships, the receiving store confirms each line within 5 days, "
                       "merchandising resolves differences, and finance settles transfers between owners.",
        starter_roles=frozenset({"store_manager", "franchisee", "merchandiser"}),
        title="{store_code}调入 · {reason:.20}", business_key_prefix="TF",
        store_fields=("from_store",), source=stock_transfer.PROCESS, called=(ship_goods.PROCESS,)),
    ProcessEntry(
        key="franchise_order", name_zh="加盟商订货", name_en="Franchise order",
        description_zh="加盟商订货/补货：客服按信用额度审核（超额由财务决定），商品专员配货并登记缺货，仓库发货，"
                       "加盟商确认收货；少货由仓库核实后财务开具红字单。",
        description_en="A franchisee orders goods: customer service checks the credit (finance decides above "
                       "the limit), merchandising allocates and records back-orders, the warehouse ships, "
                       "the franchisee confirms receipt; a shortage is checked by the warehouse and credited "
                       "by finance.",
        starter_roles=frozenset({"franchisee"}),
        title="{store_code}订货补货", business_key_prefix="FO",
        source=franchise_order.PROCESS, called=(ship_goods.PROCESS,)),
    ProcessEntry(
        key="expense_claim", name_zh="费用报销/借支", name_en="Expense claim / advance",
        description_zh="店长或培训督导提交费用报销（附票据）或借支，直营主管审批，大额由运营总监与财务会签，财务付款。",
        description_en="A store manager or trainer claims expenses (with receipts) or asks for an "
                       "advance; the store supervisor approves, large amounts are countersigned by the "
                       "director and finance, and finance pays.",
        starter_roles=frozenset({"store_manager", "trainer"}), start_store_kind="direct",
        title="{store_code}报销/借支 · {purpose:.20}", business_key_prefix="EX",
        source=expense_claim.PROCESS, on_start=offset_advance),
    ProcessEntry(
        key="store_inspection", name_zh="店铺巡检", name_en="Store inspection",
        description_zh="培训督导或直营主管按检查表巡检门店；每季开季按计划为每家营业门店发起巡检，由培训督导到店填表。"
                       "不合格项逐项交店长整改，巡检人复检直至全部合格。",
        description_en="A trainer or store supervisor inspects a store against the checklist; at each "
                       "season start the schedule starts one for every open store, inspected by a trainer. "
                       "Each failed item goes to the store manager to rectify, and the inspector re-checks "
                       "until all pass.",
        starter_roles=frozenset({"trainer", "store_supervisor"}),
        # a scheduled case has no inspection date yet: it is titled with its season's first day
        title="{store_code}店铺巡检 · {inspection_date}{scheduled_period:.10}", business_key_prefix="IN",
        source=store_inspection.PROCESS),
    ProcessEntry(
        key="monthly_stocktake", name_zh="月度盘点", name_en="Monthly stocktake",
        description_zh="每月1日按计划为每家营业门店及成品仓发起盘点：录入实盘、商品部核对账面差异、"
                       "大额损失由运营总监审批盘点损溢表、财务调整账面。",
        description_en="On the 1st of each month the schedule starts a count for every open store and the "
                       "warehouse: counts entered, the merchandiser reconciles against book stock, the "
                       "director approves a large loss, finance adjusts the books.",
        starter_roles=frozenset({"merchandiser"}),
        title="{store_code}月度盘点", business_key_prefix="ST",
        source=monthly_stocktake.PROCESS),
)})


#: Who oversees cases by role: sees them, may terminate, suspend and resume them, reads the dashboard.
#: The operations director sees everything; the customer service manager the complaint and return
#: cases; a store supervisor the cases of their region. The analyst reads every case and the dashboard
#: over them, a store manager those of their own store, and neither may act on a case.
SUPERVISION = SupervisionRules(
    all_cases=frozenset({"admin", "ops_director"}),
    processes=MappingProxyType({"cs_manager": frozenset({"complaint_handling", "product_return"})}),
    regional=frozenset({"store_supervisor"}),
    readers=frozenset({"analyst"}), store_readers=frozenset({"store_manager"}))


def entry(process_key: str) -> ProcessEntry:
    return PROCESSES[process_key]


class Registry:
    """The engine's `Catalogue`: hands it the policy of each registered process."""

    #: A process deployed by an administrator without an entry here is started by the roles its
    #: model names (`starterRoles`), or by nobody.
    closed_by_default = True
    supervision = SUPERVISION

    def policy(self, process_key: str) -> ProcessPolicy | None:
        found = PROCESSES.get(process_key)
        return found.policy() if found else None


CATALOGUE = Registry()
