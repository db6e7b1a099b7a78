"""The process registry: which processes OpsFlow ships, the hooks that run code when one starts,
the outcome words, and who oversees which cases.

Everything else about a process lives in its model files (`bpmn/`, `workflows/forms/`): English
names, descriptions, starters, titles, business-key prefixes, store rules as process properties,
and per step the due hours, priority, form, assignee, cc as element properties
(docs/modelling.md, "The files are the source"). The engine reads them from the deployed version.

Store opening: a case may only start for a store whose status is "planned" (its model's
`startStoreStatus`), and its end event carries `outcome` = "opened" with `store_status` = "open" in
the case data, which the engine applies to the store row when the case completes.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping

from engine.policy import ProcessPolicy, SupervisionRules

from .advances import offset_advance

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

#: The processes OpsFlow ships, each `bpmn/<key>.bpmn` with its forms in `workflows/forms/<key>/`.
PROCESSES: tuple[str, ...] = ("complaint_handling", "product_return", "store_opening", "new_product_launch",
                              "stock_transfer", "franchise_order", "expense_claim", "store_inspection",
                              "monthly_stocktake")

#: Shared sub-processes: started by nobody, called by the processes above (their forms live in
#: `forms/<key>/` like a process's; their steps are the calling case's steps).
SHARED_SUBPROCESSES: tuple[str, ...] = ("ship_goods",)

#: The catalogue's own check of a start, by process (engine.policy.ProcessPolicy.on_start).
ON_START: Mapping[str, Callable[..., Mapping[str, Any]]] = MappingProxyType({"expense_claim": offset_advance})


#: Who oversees cases by role: sees them, may terminate, suspend and resume them, reads the dashboard.
#: The operations director sees everything; the customer service manager the complaint and return
#: cases; a store supervisor the cases of their region. The analyst reads every case and the dashboard
#: over them, a store manager those of their own store, and neither may act on a case.
SUPERVISION = SupervisionRules(
    all_cases=frozenset({"admin", "ops_director"}),
    processes=MappingProxyType({"cs_manager": frozenset({"complaint_handling", "product_return"})}),
    regional=frozenset({"store_supervisor"}),
    readers=frozenset({"analyst"}), store_readers=frozenset({"store_manager"}))


class Registry:
    """The engine's `Catalogue`: hands it the hooks of each process and the supervision rules."""

    #: A process is started by the roles its model names (`starterRoles`), or by nobody.
    closed_by_default = True
    supervision = SUPERVISION

    def policy(self, process_key: str) -> ProcessPolicy | None:
        """The hooks of a process; what its model declares, the engine reads from the model."""
        hook = ON_START.get(process_key)
        return ProcessPolicy(key=process_key, on_start=hook) if hook else None


CATALOGUE = Registry()
