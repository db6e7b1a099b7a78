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
from typing import Mapping

from engine.policy import ProcessPolicy, SupervisionRules

from .model_sources import (
    ProcessSource,
    complaint_handling,
    monthly_stocktake,
    new_product_launch,
    product_return,
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
    "adjusted": ("已调账", "Books adjusted"),
})


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
    store_list_fields: tuple[str, ...] = ()

    @property
    def task_due_hours(self) -> dict[str, float]:
        return {n.id: n.due for n in self.source.user_tasks if n.due is not None}

    @property
    def task_priority(self) -> dict[str, int]:
        return {n.id: n.priority for n in self.source.user_tasks if n.priority is not None}

    @property
    def step_names_en(self) -> dict[str, str]:
        """English names of every named element, for the UI and the case timeline."""
        return {n.id: n.en for n in self.source.nodes if n.en}

    @property
    def outcomes(self) -> list[str]:
        return sorted({n.outcome for n in self.source.nodes if n.outcome})

    def policy(self) -> ProcessPolicy:
        return ProcessPolicy(key=self.key, starter_roles=self.starter_roles,
                             start_store_status=self.start_store_status, title_template=self.title,
                             business_key_prefix=self.business_key_prefix,
                             task_due_hours=MappingProxyType(self.task_due_hours),
                             task_priority=MappingProxyType(self.task_priority),
                             store_list_fields=self.store_list_fields)


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
