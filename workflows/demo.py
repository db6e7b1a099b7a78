"""The demo users of DESIGN.md section 2: who holds which role, for which store or region.

Data only: the run command creates these users (password and all) on an empty embedded database in
demo mode, and never anywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoGrant:
    role: str
    store_code: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    display_name_en: str
    grants: tuple[DemoGrant, ...]


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "系统管理员", "Administrator", (DemoGrant("admin"),)),
    DemoUser("director", "陈总监", "Director Chen", (DemoGrant("ops_director"),)),
    DemoUser("supervisor_east", "何主管", "Supervisor He", (DemoGrant("store_supervisor", region="EAST"),)),
    DemoUser("manager_sh001", "张店长", "Manager Zhang", (DemoGrant("store_manager", store_code="SH001"),)),
    DemoUser("manager_sh002", "徐店长", "Manager Xu", (DemoGrant("store_manager", store_code="SH002"),)),
    DemoUser("manager_hz001", "胡店长", "Manager Hu", (DemoGrant("store_manager", store_code="HZ001"),)),
    DemoUser("manager_sh003", "林店长", "Manager Lin", (DemoGrant("store_manager", store_code="SH003"),)),
    DemoUser("franchisee_nj01", "冯老板", "Mr. Feng (franchisee)",
             (DemoGrant("franchisee", store_code="NJ01"), DemoGrant("store_manager", store_code="NJ01"),
              DemoGrant("franchisee", store_code="NJ02"), DemoGrant("store_manager", store_code="NJ02"))),
    DemoUser("cs_li", "李客服", "Agent Li", (DemoGrant("cs_agent"),)),
    DemoUser("cs_wang", "王客服", "Agent Wang", (DemoGrant("cs_agent"),)),
    DemoUser("cs_manager", "刘经理", "Manager Liu", (DemoGrant("cs_manager"),)),
    DemoUser("merch_zhao", "赵商品", "Zhao (merchandiser)", (DemoGrant("merchandiser"),)),
    DemoUser("warehouse_qian", "钱仓管", "Qian (warehouse)", (DemoGrant("warehouse_keeper"),)),
    DemoUser("trainer_sun", "孙督导", "Sun (trainer)", (DemoGrant("trainer"),)),
    DemoUser("marketing_zhou", "周市场", "Zhou (marketing)", (DemoGrant("marketing"),)),
    DemoUser("finance_wu", "吴财务", "Wu (finance)", (DemoGrant("finance"),)),
    DemoUser("analyst_zheng", "郑分析", "Zheng (analyst)", (DemoGrant("analyst"),)),
)



@dataclass(frozen=True)
class DemoClient:
    """Another system's API user in the demo (role `integration`): no password, a token known in
    advance, so someone trying the demo can post its messages with curl (README, docs/modelling.md)."""

    username: str
    display_name: str
    display_name_en: str
    token: str


#: The logistics system reporting arrivals (`logistics_arrival`) to transfers and orders.
DEMO_CLIENTS: tuple[DemoClient, ...] = (
    DemoClient("logistics", "物流系统", "Logistics system", "demo-logistics-token"),
)
DEMO_CLIENT_TOKEN_HOURS = 24 * 3650

DEMO_USERS_BY_NAME: dict[str, DemoUser] = {u.username: u for u in DEMO_USERS}
