"""The demo users of DESIGN.md section 2: who holds which role, for which store or region.

Data only: the run command creates these users (password and all) on an empty embedded database in
demo mode, and never anywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grant:
    role: str
    store_code: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    display_name_en: str
    grants: tuple[Grant, ...]


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "系统管理员", "Administrator", (Grant("admin"),)),
    DemoUser("director", "陈总监", "Director Chen", (Grant("ops_director"),)),
    DemoUser("supervisor_east", "何主管", "Supervisor He", (Grant("store_supervisor", region="EAST"),)),
    DemoUser("manager_sh001", "张店长", "Manager Zhang", (Grant("store_manager", store_code="SH001"),)),
    DemoUser("manager_sh002", "徐店长", "Manager Xu", (Grant("store_manager", store_code="SH002"),)),
    DemoUser("manager_hz001", "胡店长", "Manager Hu", (Grant("store_manager", store_code="HZ001"),)),
    DemoUser("manager_sh003", "林店长", "Manager Lin", (Grant("store_manager", store_code="SH003"),)),
    DemoUser("franchisee_nj01", "冯老板", "Mr. Feng (franchisee)",
             (Grant("franchisee", store_code="NJ01"), Grant("store_manager", store_code="NJ01"))),
    DemoUser("cs_li", "李客服", "Agent Li", (Grant("cs_agent"),)),
    DemoUser("cs_wang", "王客服", "Agent Wang", (Grant("cs_agent"),)),
    DemoUser("cs_manager", "刘经理", "Manager Liu", (Grant("cs_manager"),)),
    DemoUser("merch_zhao", "赵商品", "Zhao (merchandiser)", (Grant("merchandiser"),)),
    DemoUser("warehouse_qian", "钱仓管", "Qian (warehouse)", (Grant("warehouse_keeper"),)),
    DemoUser("trainer_sun", "孙督导", "Sun (trainer)", (Grant("trainer"),)),
    DemoUser("marketing_zhou", "周市场", "Zhou (marketing)", (Grant("marketing"),)),
    DemoUser("finance_wu", "吴财务", "Wu (finance)", (Grant("finance"),)),
    DemoUser("analyst_zheng", "郑分析", "Zheng (analyst)", (Grant("analyst"),)),
)

DEMO_USERS_BY_NAME: dict[str, DemoUser] = {u.username: u for u in DEMO_USERS}
