"""The roles of the operations center. A role key names a BPMN lane, so keys never change; names
are what people read, in Chinese first.
"""
from __future__ import annotations

from dataclasses import dataclass

COMPANY, REGION, STORE = "company", "region", "store"


@dataclass(frozen=True)
class Role:
    key: str
    name_zh: str
    name_en: str
    scope: str
    duties_zh: str
    duties_en: str
    task_role: bool = True


ROLES: tuple[Role, ...] = (
    Role("ops_director", "运营总监", "Operations Director", COMPANY,
         "审批开业方案、上市计划、预算与大额退货，查看全部流程",
         "approves plans, budgets and large returns; sees everything"),
    Role("store_supervisor", "直营主管", "Store Supervisor", REGION,
         "负责本区域新店开业、重大投诉与开业前检视",
         "store openings, major complaints, pre-opening inspection"),
    Role("store_manager", "店长", "Store Manager", STORE,
         "门店上货陈列确认、一般投诉处理、整改与销售报告",
         "shelf and display confirmation, minor complaints, reports"),
    Role("franchisee", "加盟商", "Franchisee", STORE,
         "为本店提交退货申请与客户投诉", "submits returns and complaints for their own store"),
    Role("cs_agent", "客服专员", "Customer Service Agent", COMPANY,
         "登记投诉、审核退货、回访客户", "registers complaints, reviews returns, follows up customers"),
    Role("cs_manager", "客户服务经理", "Customer Service Manager", COMPANY,
         "审批赔付、处理超时督办与最终处理", "approves compensation, handles escalations"),
    Role("merchandiser", "商品专员", "Merchandiser", COMPANY,
         "货品配置、退货审批、上市计划、质量问题反馈",
         "allocation, return approval, launch plans, quality feedback"),
    Role("warehouse_keeper", "仓管员", "Warehouse Keeper", COMPANY,
         "收货、检验与发货", "receiving, inspection, shipping"),
    Role("trainer", "培训督导", "Training Supervisor", COMPANY,
         "员工培训与陈列指引", "staff training, display guidelines"),
    Role("marketing", "市场专员", "Marketing Specialist", COMPANY,
         "开业与上市推广方案", "promotion plans"),
    Role("finance", "财务", "Finance", COMPANY,
         "退款、红字单与对帐", "credit notes, reconciliation"),
    Role("analyst", "数据分析师", "Data Analyst", COMPANY,
         "畅滞销分析", "sell-through analysis"),
    Role("admin", "系统管理员", "System Administrator", COMPANY,
         "部署流程模型，管理用户、角色与门店；不承担流程任务",
         "deploys models, manages users; not a task role", task_role=False),
    Role("integration", "系统对接", "Integration Client", COMPANY,
         "外部系统（物流、仓储）通过接口向等待中的流程发送消息；不承担流程任务",
         "other systems (logistics, warehouse) delivering messages to waiting cases; not a task role",
         task_role=False),
)

ROLES_BY_KEY: dict[str, Role] = {r.key: r for r in ROLES}
TASK_ROLE_KEYS: frozenset[str] = frozenset(r.key for r in ROLES if r.task_role)
STORE_SCOPED: frozenset[str] = frozenset(r.key for r in ROLES if r.scope == STORE)
REGION_SCOPED: frozenset[str] = frozenset(r.key for r in ROLES if r.scope == REGION)


def role(key: str) -> Role:
    """The role with this key; KeyError names the unknown key."""
    return ROLES_BY_KEY[key]
