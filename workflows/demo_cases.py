"""A few cases started in a fresh development database (`make run`), so that the demo opens on
work in progress: 待办 for the store managers, a cc and an urge in the bell. Started through the
engine like any case, by the demo users, so every notification is the real one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import runtime
from engine.models import User

COMPLAINTS = (
    {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001", "channel": "store",
     "category": "service", "description": "结账排队太久，店员态度冷淡", "amount_claimed": 0},
    {"customer_name": "李先生", "customer_phone": "13900139000", "store_code": "SH002", "channel": "phone",
     "category": "product_quality", "description": "新买的外套袖口开线", "amount_claimed": 199},
)
RETURN = {"store_code": "NJ01", "return_type": "quality", "reason": "面料起球",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}
#: A count the merchandiser started by hand (the monthly ones start on the 1st, by the schedule).
STOCKTAKE = {"store_code": "HZ001", "start_note": "店长交接，盘点后交接库存"}


def start_demo_cases(engine: runtime.Engine, session: Session) -> int:
    """Start the demo cases (the caller commits); how many were started."""
    people = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True)))}
    started: list[Any] = []
    for data in COMPLAINTS:
        started.append(engine.start(session, "complaint_handling", people["cs_li"], data))
    started.append(engine.start(session, "product_return", people["franchisee_nj01"], RETURN))
    started.append(engine.start(session, "monthly_stocktake", people["merch_zhao"], STOCKTAKE))
    first = started[0]
    runtime.cc_case(engine, session, first.id, people["cs_li"], ["director"], "顾客情绪激动，请关注")
    runtime.urge(engine, session, first.open_tasks[0].id, people["cs_li"], "顾客今天下午再来电，请尽快处理")
    return len(started)
