"""A few cases started in a fresh development database (`make run`), so that the demo opens on
work in progress: 待办 for the store managers, a cc and an urge in the bell. Started through the
engine like any case, by the demo users, so every notification is the real one."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import runtime
from engine.models import Schedule, User

COMPLAINTS = (
    {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001", "channel": "store",
     "category": "service", "description": "结账排队太久，店员态度冷淡", "amount_claimed": 0},
    {"customer_name": "李先生", "customer_phone": "13900139000", "store_code": "SH002", "channel": "phone",
     "category": "product_quality", "description": "新买的外套袖口开线", "amount_claimed": 199},
)
RETURN = {"store_code": "NJ01", "return_type": "quality", "reason": "面料起球",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}
ORDER = {"store_code": "NJ01", "order_note": "冬季第二批补货",
         "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M", "quantity": 30,
                    "unit_price": 399}]}
#: 货品调拨: one waiting for the merchandiser, one approved and waiting for SH002 to ship (发货)
TRANSFERS = (
    {"store_code": "SH001", "ship_from": "store", "from_store": "SH002",
     "reason": "周末大衣断码，调货补足尺码",
     "items": [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 5,
                "unit_price": 1599}]},
    {"store_code": "HZ001", "ship_from": "store", "from_store": "SH002", "reason": "畅销款补货",
     "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M", "quantity": 8,
                "unit_price": 399}]},
)
#: The trainer's advance for a week of store visits (waits for the supervisor), and her inspection of
#: SH002 with two items for its manager to rectify.
ADVANCE = {"store_code": "HZ001", "claim_type": "advance", "purpose": "杭州片区巡店差旅借支",
           "claim_lines": [{"category": "travel", "expense_date": "2026-11-16", "amount": 1800,
                            "note": "高铁与市内交通"},
                           {"category": "accommodation", "expense_date": "2026-11-16", "amount": 1200}]}
INSPECTION = {"store_code": "SH002", "inspection_summary": "服务良好，陈列需整改",
              "checklist": [
                  {"area": "display", "item": "橱窗按当季陈列指引布置", "score": 62, "passed": False,
                   "note": "橱窗仍为上一波段陈列"},
                  {"area": "image", "item": "店员着装与仪容", "score": 90, "passed": True},
                  {"area": "stock", "item": "仓库货品分区与标识", "score": 68, "passed": False,
                   "note": "仓库未按款号分区"},
                  {"area": "service", "item": "迎宾与试衣服务", "score": 92, "passed": True}]}
#: The season's inspection of HZ001 as the schedule started it at the latest season start (开季): the
#: trainer's 开季巡检 waits. (The schedule's own period comes with the next season.)
SEASON_STORE = "HZ001"
#: A count the merchandiser started by hand (the monthly ones start on the 1st, by the schedule).
STOCKTAKE = {"store_code": "HZ001", "start_note": "店长交接，盘点后交接库存"}


def start_demo_cases(engine: runtime.Engine, session: Session) -> int:
    """Start the demo cases (the caller commits); how many were started."""
    people = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True)))}
    started: list[Any] = []
    for data in COMPLAINTS:
        started.append(engine.start(session, "complaint_handling", people["cs_li"], data))
    started.append(engine.start(session, "product_return", people["franchisee_nj01"], RETURN))
    started.append(engine.start(session, "stock_transfer", people["manager_sh001"], TRANSFERS[0]))
    approved = engine.start(session, "stock_transfer", people["merch_zhao"], TRANSFERS[1])
    engine.complete(session, approved.open_tasks[0].id, people["merch_zhao"],
                    {"approved": True, "merchandiser_comment": "同意调拨"})
    started.append(approved)
    started.append(engine.start(session, "franchise_order", people["franchisee_nj01"], ORDER))
    started.append(engine.start(session, "expense_claim", people["trainer_sun"], ADVANCE))
    inspection = dict(INSPECTION, inspection_date=engine.clock().astimezone(engine.zone).date().isoformat())
    started.append(engine.start(session, "store_inspection", people["trainer_sun"], inspection))
    started.append(engine.start(session, "monthly_stocktake", people["merch_zhao"], STOCKTAKE))
    started.append(_season_inspection(engine, session))
    first = started[0]
    runtime.cc_case(engine, session, first.id, people["cs_li"], ["director"], "顾客情绪激动，请关注")
    runtime.urge(engine, session, first.open_tasks[0].id, people["cs_li"], "顾客今天下午再来电，请尽快处理")
    return len(started)


def _season_inspection(engine: runtime.Engine, session: Session) -> int:
    """Start the store's inspection of the season under way, as its schedule started it: the period
    before the schedule's next run (seasons are three months apart)."""
    schedule = session.scalars(select(Schedule).where(Schedule.process_key == "store_inspection")).one()
    assert schedule.next_run is not None
    upcoming = schedule.next_run
    if upcoming.tzinfo is None:  # SQLite keeps it without its zone: UTC
        upcoming = upcoming.replace(tzinfo=timezone.utc)
    local = upcoming.astimezone(engine.zone)
    months = local.year * 12 + local.month - 1 - 3
    period = datetime(months // 12, months % 12 + 1, local.day, local.hour, local.minute, tzinfo=engine.zone)
    return runtime.start_scheduled(engine, session, schedule, period, {"store_code": SEASON_STORE})
