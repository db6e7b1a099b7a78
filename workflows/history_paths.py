"""The paths seeded cases take through the real models, with realistic step durations.

Element ids are those of `bpmn/`; durations are medians in hours (each case draws around them), due
hours those of the models. It lives in the catalogue because it is knowledge of the processes that
a person tunes (which path how often, which step is slow); `workflows.history_seed` is the machinery
that writes it.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Sequence

# element id -> (name, lane role, due hours, median waiting hours, median working hours[, on-late chain])
STEPS: dict[str, dict[str, tuple[Any, ...]]] = {
    "complaint_handling": {
        "investigate_store": ("投诉调查与处理方案", "store_manager", 24, 4, 9,
                              "sla_store sla_merge sla_escalation end_sla_handled"),
        "investigate_merch": ("投诉调查与处理方案", "merchandiser", 24, 8, 14,
                              "sla_merch sla_merge sla_escalation end_sla_handled"),
        "investigate_warehouse": ("投诉调查与处理方案", "warehouse_keeper", 24, 3, 6,
                                  "sla_warehouse sla_merge sla_escalation end_sla_handled"),
        "investigate_supervisor": ("投诉调查与处理方案", "store_supervisor", 12, 2, 5,
                                   "sla_supervisor sla_merge sla_escalation end_sla_handled"),
        "sla_escalation": ("投诉超时督办", "cs_manager", 4, 1, 0.5),
        "quality_registration": ("质量问题登记", "merchandiser", 72, 20, 2),
        "compensation_approval": ("赔付审批", "cs_manager", 24, 6, 0.5),
        "customer_follow_up": ("客户回访", "cs_agent", 24, 5, 0.7),
        "final_decision": ("最终处理", "cs_manager", 48, 8, 1),
    },
    "product_return": {
        "cs_review": ("客服审核", "cs_agent", 24, 3, 0.5),
        "merchandiser_approval": ("商品部审批", "merchandiser", 48, 20, 1),
        "director_approval": ("运营总监审批", "ops_director", 48, 30, 0.5),
        "receive_inspect": ("收货检验", "warehouse_keeper", 336, 90, 4),
        "quality_registration": ("质量问题登记", "merchandiser", 72, 20, 2),
        "credit_note": ("财务退款对帐", "finance", 72, 30, 1.5),
    },
    "new_product_launch": {
        "launch_plan_approval": ("上市计划审批", "ops_director", 48, 20, 1),
        "order_and_purchase": ("订货会与备货下单", "merchandiser", 240, 24, 120),
        "goods_receipt": ("新品入库", "warehouse_keeper", 72, 12, 24),
        "display_guideline": ("陈列指引", "trainer", 120, 24, 48),
        "launch_promotion": ("上市推广", "marketing", 120, 24, 60),
        "store_shelving": ("门店上货陈列确认", "store_manager", 48, 10, 8),
        "sell_through_analysis": ("畅滞销分析", "analyst", 72, 16, 24),
        "reorder": ("返单", "merchandiser", 48, 12, 4),
    },
    "store_opening": {
        "plan_approval": ("开业方案审批", "ops_director", 48, 30, 2,
                          "plan_reminder approval_reminder end_reminder_acknowledged"),
        "approval_reminder": ("审批催办", "ops_director", 24, 4, 0.2),
        "revise_plan": ("修改开业方案", "store_supervisor", 72, 12, 24),
        "first_batch_allocation": ("首批货品配置", "merchandiser", 120, 24, 48),
        "first_batch_shipping": ("首批发货", "warehouse_keeper", 72, 12, 24),
        "staff_training": ("新员工培训", "trainer", 168, 24, 96),
        "display_setup": ("陈列布置", "trainer", 168, 48, 72),
        "opening_promotion": ("开业推广方案", "marketing", 120, 24, 72),
        "opening_preparation": ("开业筹备确认", "store_manager", 168, 24, 120),
        "pre_opening_inspection": ("开业前检视", "store_supervisor", 48, 12, 6),
        "remediation": ("整改", "store_manager", 72, 8, 40),
        "first_week_report": ("首周销售报告", "store_manager", 48, 10, 6),
        "opening_review": ("开业总结", "store_supervisor", 72, 20, 4),
    },
    "stock_transfer": {  # the called 发货's steps are the case's steps
        "merchandiser_approval": ("商品部审批", "merchandiser", 24, 6, 0.5),
        "cs_approval": ("客服审批", "cs_agent", 24, 5, 0.5),
        "director_approval": ("运营总监审批", "ops_director", 48, 16, 0.3),
        "ship_from_warehouse": ("仓库拣货发货", "warehouse_keeper", 48, 10, 6),
        "confirm_receipt": ("确认收货", "store_manager", 120, 40, 1),
        "resolve_difference": ("差异处理", "merchandiser", 72, 20, 2),
        "settlement": ("财务结算", "finance", 72, 30, 1),
    },
    "franchise_order": {
        "cs_check": ("客服审核订单", "cs_agent", 24, 3, 0.5),
        "finance_decision": ("财务信用审批", "finance", 24, 8, 0.5),
        "allocate": ("商品配货", "merchandiser", 48, 12, 2),
        "ship_from_warehouse": ("仓库拣货发货", "warehouse_keeper", 48, 10, 6),
        "confirm_receipt": ("确认收货", "franchisee", 72, 30, 1),
        "warehouse_check": ("仓库核实少货", "warehouse_keeper", 48, 16, 2),
        "credit_note": ("财务开具红字单", "finance", 72, 30, 1),
    },
    "expense_claim": {
        "supervisor_approval": ("直营主管审批", "store_supervisor", 48, 16, 0.3),
        "claim_countersign": ("大额报销会签", "ops_director", 48, 20, 0.3),
        "payment": ("财务付款", "finance", 72, 30, 0.5),
    },
    "store_inspection": {
        "inspect": ("开季巡检", "trainer", 336, 96, 3),
        "rectify": ("整改", "store_manager", 168, 24, 48),
        "recheck": ("复检", "store_supervisor", 72, 30, 2),
    },
    "monthly_stocktake": {
        "store_count": ("门店盘点录入", "store_manager", 72, 10, 6),
        "reconcile": ("商品部核对差异", "merchandiser", 48, 12, 2),
        "director_approval": ("运营总监审批损溢表", "ops_director", 48, 16, 0.5),
        "adjust_books": ("财务调整账面", "finance", 72, 20, 1),
    },
}

# A stage is a chain of tokens (automatic elements, user tasks, "timer+hours", "task*" = one per target
# store) or a tuple of chains run in parallel ("&chain" does not hold up the next stage).
_C_HEAD = "start triage init_case quality_split investigation_merge start_investigation route_handler"
_C_TAIL = "investigation_done compensation_check needs_approval follow_up_merge customer_follow_up satisfied"
_C_APPROVE = ("investigation_done compensation_check needs_approval compensation_approval approval_decision "
              "follow_up_merge customer_follow_up satisfied")
_C_REOPEN = "count_reopen reopen_limit investigation_merge start_investigation route_handler"
_R_HEAD = "start compute_total cs_review review_ok approval_rules needs_merch"
_R_ROUTE = "after_merch needs_director after_director prepare_receipt"
_R_MERCH = "merchandiser_approval merch_ok"
_R_CREDIT = "defect_split inspection_ok compute_credit credit_note end_credited"
_L_HEAD = "start launch_plan_approval plan_ok"
_L_PREP = ("launch_fork order_and_purchase goods_receipt", "display_guideline", "launch_promotion")
_L_TAIL = ("launch_join store_shelving* summarize_shelving wait_sell_through+336 sell_through_analysis "
           "reorder_decision")
_O_APPROVE = "approval_merge budget_check plan_approval plan_approved"  # budgets up to 1,000,000: no 会签
_O_HEAD = f"start init_plan {_O_APPROVE}"
_O_REVISE = "revise_plan revision_choice"
_O_PREP = ("prepare_fork first_batch_allocation first_batch_shipping", "staff_training", "display_setup",
           "opening_promotion", "opening_preparation")
_O_TAIL = "prepare_join inspection_merge pre_opening_inspection inspection_ok"
_O_END = "wait_first_week+168 first_week_report opening_review mark_store_open end_opened"
_QUALITY = "&quality_registration end_quality_registered"
_T_HEAD = "start compute_transfer approval_rules merchandiser_approval merch_ok needs_cs"
_T_SHIP = ("after_director prepare_shipping start_ship prepare_shipment ship_from ship_from_warehouse "
           "shipped finish_shipment end_ship ship ship_done prepare_receipt confirm_receipt "
           "compute_difference difference")
_T_END = "after_difference needs_settlement end_transferred"
_T_SETTLE = "after_difference needs_settlement settlement end_settled"
_F_HEAD = "start compute_order cs_check order_ok credit_rules over_limit"
_F_SHIP = ("after_credit prepare_allocation allocate compute_allocation anything_allocated prepare_shipping "
           "start_ship prepare_shipment ship_from ship_from_warehouse shipped finish_shipment end_ship ship "
           "ship_done prepare_receipt confirm_receipt compute_shortage shortage")
_E_HEAD = "start compute_claim supervisor_approval supervisor_ok"
_E_RULE = "approval_rules needs_countersign_check"
_E_SIGN = f"{_E_RULE} claim_countersign countersign_ok"
_E_PAY = "approved_merge payment end_paid"
_I_HEAD = "start checklist_given inspected score_inspection findings_merge all_passed_check"  # by hand
_I_SEASON = "start checklist_given inspect inspected score_inspection findings_merge all_passed_check"
_I_ROUND = ("prepare_rectification", ("rectify", "rectify"),
            "prepare_recheck recheck collect_recheck findings_merge all_passed_check")
_S_COUNT = "start prepare_count count_where store_count counted prepare_reconcile reconcile recount_needed"
_S_RULES = "compute_differences approval_rules needs_director_gw"
_S_END = "after_director adjust_books end_adjusted"

# process -> (share of cases, [(weight, outcome, stages)])
PATHS: dict[str, tuple[float, list[tuple[float, str, list[Any]]]]] = {
    "complaint_handling": (0.50, [
        (40, "closed", [f"{_C_HEAD} investigate_store {_C_TAIL} end_closed"]),
        (18, "closed", [(f"{_C_HEAD} investigate_merch", _QUALITY), f"{_C_TAIL} end_closed"]),
        (12, "closed", [f"{_C_HEAD} investigate_warehouse {_C_TAIL} end_closed"]),
        (8, "closed", [f"{_C_HEAD} investigate_supervisor {_C_APPROVE} end_closed"]),
        (8, "closed", [f"{_C_HEAD} investigate_store {_C_TAIL} {_C_REOPEN} investigate_store {_C_TAIL} "
                       "end_closed"]),
        (3, "closed", [f"{_C_HEAD} investigate_store {_C_TAIL} count_reopen reopen_limit final_decision "
                       "end_final"]),
    ]),
    "product_return": (0.38, [
        (45, "credited", [f"{_R_HEAD} {_R_ROUTE} receive_inspect {_R_CREDIT}"]),
        (20, "credited", [f"{_R_HEAD} {_R_MERCH} {_R_ROUTE} receive_inspect {_R_CREDIT}"]),
        (8, "credited", [f"{_R_HEAD} after_merch needs_director director_approval director_ok after_director "
                         "prepare_receipt receive_inspect", (_R_CREDIT, _QUALITY)]),
        (12, "rejected", ["start compute_total cs_review review_ok end_review_rejected"]),
        (5, "rejected", [f"{_R_HEAD} {_R_MERCH} end_merch_rejected"]),
        (4, "rejected", [f"{_R_HEAD} {_R_ROUTE} receive_inspect defect_split inspection_ok "
                         "end_inspection_rejected"]),
        (3, "expired", [f"{_R_HEAD} {_R_ROUTE} receive_timeout+336 end_expired"]),
    ]),
    "new_product_launch": (0.10, [
        (60, "launched", [_L_HEAD, _L_PREP, f"{_L_TAIL} launch_merge end_launched"]),
        (28, "launched", [_L_HEAD, _L_PREP, f"{_L_TAIL} reorder launch_merge end_launched"]),
        (12, "rejected", [f"{_L_HEAD} end_rejected"]),
    ]),
    "store_opening": (0.02, [
        (70, "opened", [_O_HEAD, _O_PREP, f"{_O_TAIL} {_O_END}"]),
        (20, "opened", [f"{_O_HEAD} {_O_REVISE} {_O_APPROVE}", _O_PREP,
                        f"{_O_TAIL} remediation inspection_merge pre_opening_inspection inspection_ok "
                        f"{_O_END}"]),
        (10, "withdrawn", [f"{_O_HEAD} {_O_REVISE} end_withdrawn"]),
    ]),
    "stock_transfer": (0.08, [
        (45, "transferred", [f"{_T_HEAD} after_cs needs_director {_T_SHIP} {_T_END}"]),
        (20, "transferred", [f"{_T_HEAD} cs_approval cs_ok after_cs needs_director {_T_SHIP} {_T_SETTLE}"]),
        (10, "transferred", [f"{_T_HEAD} after_cs needs_director director_approval director_ok {_T_SHIP} "
                             f"resolve_difference {_T_END}"]),
        (10, "rejected", [f"{_T_HEAD.rsplit(' ', 1)[0]} end_merch_rejected"]),
    ]),
    "franchise_order": (0.10, [
        (60, "delivered", [f"{_F_HEAD} {_F_SHIP} end_delivered"]),
        (12, "delivered", [f"{_F_HEAD} finance_decision finance_ok {_F_SHIP} end_delivered"]),
        (12, "credited", [f"{_F_HEAD} {_F_SHIP} warehouse_check compute_credit confirmed credit_note "
                          "end_credited"]),
        (6, "rejected", ["start compute_order cs_check order_ok end_cs_rejected"]),
        (4, "rejected", [f"{_F_HEAD} finance_decision finance_ok end_finance_rejected"]),
    ]),
    "expense_claim": (0.25, [
        (72, "paid", [f"{_E_HEAD} {_E_RULE} {_E_PAY}"]),
        (14, "paid", [f"{_E_HEAD} {_E_SIGN} {_E_PAY}"]),
        (10, "rejected", [f"{_E_HEAD} end_supervisor_rejected"]),
        (4, "rejected", [f"{_E_HEAD} {_E_SIGN} end_countersign_rejected"]),
    ]),
    "store_inspection": (0.08, [
        (20, "completed", [f"{_I_HEAD} end_passed"]),
        (30, "completed", [_I_HEAD, *_I_ROUND, "end_passed"]),
        (10, "completed", [_I_HEAD, *_I_ROUND, *_I_ROUND, "end_passed"]),
        (15, "completed", [f"{_I_SEASON} end_passed"]),  # a season start's, inspected by a trainer
        (20, "completed", [_I_SEASON, *_I_ROUND, "end_passed"]),
        (5, "completed", [_I_SEASON, *_I_ROUND, *_I_ROUND, "end_passed"]),
    ]),
    "monthly_stocktake": (0.06, [
        (70, "adjusted", [f"{_S_COUNT} {_S_RULES} {_S_END}"]),
        (15, "adjusted", [f"{_S_COUNT} {_S_RULES} director_approval director_ok {_S_END}"]),
        (15, "adjusted", [f"{_S_COUNT} count_where store_count counted prepare_reconcile reconcile "
                          f"recount_needed {_S_RULES} {_S_END}"]),
    ]),
}
STARTERS = {"complaint_handling": "cs_agent", "product_return": "franchisee",
            "new_product_launch": "merchandiser", "store_opening": "store_supervisor",
            "stock_transfer": "store_manager", "franchise_order": "franchisee",
            "expense_claim": "store_manager", "store_inspection": "store_supervisor",
            "monthly_stocktake": "merchandiser"}
PREFIXES = {"complaint_handling": "CP", "product_return": "RT", "new_product_launch": "NP",
            "store_opening": "SO", "stock_transfer": "TF", "franchise_order": "FO",
            "expense_claim": "EX", "store_inspection": "IN", "monthly_stocktake": "ST"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
CATEGORIES = ("product_quality", "service", "logistics", "other")
COMPLAINTS = {"product_quality": ("衣服洗一次就起球", "拉链第二天就坏了", "面料与描述不符"),
              "service": ("店员态度冷淡", "试衣间排队很久无人处理", "结账等了很久"),
              "logistics": ("调货迟迟不到", "快递包装破损", "发错尺码"),
              "other": ("会员积分未到账", "停车无法抵扣")}
RETURN_REASONS = {"quality": "面料起球开线", "overstock": "季末积压", "wrong_shipment": "错发款式"}
TRANSFER_REASONS = ("断码补货", "畅销款补货", "周末活动备货", "季末调配库存")
GOODS = ("春季针织衫", "直筒牛仔裤", "轻薄羽绒服", "亚麻衬衫", "连衣裙")
SEASONS = {"spring": "春", "summer": "夏", "autumn": "秋", "winter": "冬"}
RETURN_TYPES = ("quality", "overstock", "wrong_shipment")
FALLBACK_STORES = (("SH001", "上海南京路店", "EAST"), ("HZ001", "杭州湖滨店", "EAST"),
                   ("BJ001", "北京王府井店", "NORTH"), ("GZ001", "广州天河店", "SOUTH"))


def start_data(rng: random.Random, process: str, store_code: str, store_name: str,
               stores: Sequence[tuple[str, str, str]], started: date,
               ) -> tuple[dict[str, Any], str, list[str]]:
    """Start data shaped like the real start forms (so the case page labels it), a fallback title
    (the catalogue's title template wins when there is one) and a launch's target stores."""
    if process == "complaint_handling":
        name = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
        category = rng.choices(CATEGORIES, (25, 45, 20, 10))[0]
        amount = round(rng.lognormvariate(5, 1.0), 2) if rng.random() < 0.5 else 0
        data = {"customer_name": name, "customer_phone": f"13{rng.randrange(10**8, 10**9)}",
                "store_code": store_code, "channel": rng.choice(("store", "phone", "online", "franchisee")),
                "category": category, "description": rng.choice(COMPLAINTS[category]),
                "amount_claimed": amount}
        return data, f"{name}投诉 · {store_code}", []
    if process == "product_return":
        qty, price = rng.randint(1, 40), rng.choice((129, 199, 299, 459, 899))
        kind = rng.choices(RETURN_TYPES, (45, 35, 20))[0]
        data = {"store_code": store_code, "return_type": kind, "reason": RETURN_REASONS[kind],
                "items": [{"sku": f"SKU-{rng.randrange(10000, 99999)}", "name": rng.choice(GOODS),
                           "quantity": qty, "unit_price": price}], "total_amount": qty * price}
        return data, f"{store_code}退货申请 · {data['reason']}", []
    if process == "new_product_launch":
        season = rng.choice(("spring", "summer", "autumn", "winter"))
        targets = sorted({s[0] for s in rng.sample(list(stores), k=min(len(stores), rng.randint(2, 4)))})
        launch = started + timedelta(days=rng.randint(20, 40))
        data = {"year": launch.year, "season": season, "wave": rng.randint(1, 4),
                "collection_name": f"{SEASONS[season]}季{rng.choice(('都市', '轻运动', '通勤', '度假'))}系列",
                "sku_count": rng.randint(12, 80), "launch_date": launch.isoformat(), "target_stores": targets,
                "forecast_qty": rng.randint(500, 8000)}
        return data, f"{data['collection_name']} 第{data['wave']}波段上市 · {data['launch_date']}", targets
    if process == "franchise_order":
        qty, price = rng.randint(10, 120), rng.choice((199, 299, 459, 899))
        data = {"store_code": store_code, "order_note": "季中补货",
                "items": [{"sku": f"SKU-{rng.randrange(10000, 99999)}", "name": rng.choice(GOODS),
                           "colour_size": rng.choice(("黑色/M", "驼色/L", "白色/S")), "quantity": qty,
                           "unit_price": price}], "total_amount": qty * price}
        return data, f"{store_code}订货补货", []
    if process == "stock_transfer":
        qty, price = rng.randint(2, 30), rng.choice((199, 299, 459, 899, 1599))
        data = {"store_code": store_code, "ship_from": "warehouse", "reason": rng.choice(TRANSFER_REASONS),
                "items": [{"sku": f"SKU-{rng.randrange(10000, 99999)}", "name": rng.choice(GOODS),
                           "colour_size": rng.choice(("黑色/M", "驼色/L", "白色/S")), "quantity": qty,
                           "unit_price": price}], "total_amount": qty * price}
        return data, f"{store_code}调入 · {data['reason']}", []
    if process in DAILY:
        data, title = DAILY[process](rng, store_code, started)
        return data, title, []
    if process == "monthly_stocktake":
        return {"store_code": store_code, "start_note": ""}, f"{store_code}月度盘点", []
    opening = started + timedelta(days=rng.randint(30, 60))
    data = {"store_code": store_code, "store_name": store_name, "city": "", "address": "",
            "area_sqm": rng.randint(80, 400), "store_type": "direct",
            "planned_opening_date": opening.isoformat(), "budget": rng.randint(30, 100) * 10000}
    return data, f"{store_name}开业 · {data['planned_opening_date']}", []


EXPENSES = (("store_supplies", "门店耗材"), ("repair", "门店维修"), ("travel", "巡店差旅"),
            ("display", "陈列道具"))
CHECKS = (("display", "橱窗与中岛陈列"), ("image", "店员着装与仪容"), ("stock", "仓库分区与标识"),
          ("service", "迎宾与试衣服务"))


def _expense(rng: random.Random, store_code: str, started: date) -> tuple[dict[str, Any], str]:
    category, purpose = rng.choice(EXPENSES)
    advance = rng.random() < 0.15
    spent = [started - timedelta(days=rng.randint(0, 20)) for _ in range(rng.randint(1, 4))]
    lines = [{"category": category, "expense_date": day.isoformat(),
              "amount": round(rng.lognormvariate(6.5, 0.9), 2)} for day in spent]
    data = {"store_code": store_code, "claim_type": "advance" if advance else "expense", "purpose": purpose,
            "claim_lines": lines, "photos": [], "claim_amount": round(sum(x["amount"] for x in lines), 2)}
    return data, f"{store_code}报销/借支 · {purpose}"


def _inspection(rng: random.Random, store_code: str, started: date) -> tuple[dict[str, Any], str]:
    checklist = [{"area": area, "item": item, "score": rng.randint(55, 100), "passed": rng.random() < 0.8}
                 for area, item in CHECKS]
    data = {"store_code": store_code, "inspection_date": started.isoformat(), "checklist": checklist}
    return data, f"{store_code}店铺巡检 · {data['inspection_date']}"


DAILY = {"expense_claim": _expense, "store_inspection": _inspection}
