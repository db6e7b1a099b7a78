"""Realistic sample data: the start data of each process and one valid submission for every user
task. A submission may be a function of the task's data when the step edits what earlier steps
prepared (the warehouse's received lines, finance's default credit)."""
from __future__ import annotations

import copy
from typing import Any, Callable

from . import samples_daily

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
        "store_code": "SH003", "store_name": "上海静安寺店", "city": "上海",
        "address": "上海市静安区南京西路1788号1层", "area_sqm": 180, "store_type": "direct",
        "planned_opening_date": "2026-12-18", "budget": 850000,
    },
    "new_product_launch": {
        "year": 2027, "season": "spring", "collection_name": "春日序曲", "wave": 1, "sku_count": 36,
        "launch_date": "2027-02-20", "target_stores": ["SH001", "SH002", "HZ001", "NJ01"],
        "forecast_qty": 4800,
    },
    "stock_transfer": {  # SH002 sends SH001 two lines: 8 × 399 + 5 × 1599 = 11 187 元
        "store_code": "SH001", "ship_from": "store", "from_store": "SH002",
        "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M", "quantity": 8,
                   "unit_price": 399.0},
                  {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 5,
                   "unit_price": 1599.0}],
        "reason": "南京路店周末大衣断码，徐家汇店库存充足，调货补足尺码。",
    },
    "franchise_order": {  # 30 × 399 + 10 × 1599 = 27 960 元
        "store_code": "NJ01", "order_note": "冬季第二批补货",
        "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M", "quantity": 30,
                   "unit_price": 399.0},
                  {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 10,
                   "unit_price": 1599.0}],
    },
    "monthly_stocktake": {"store_code": "SH001", "start_note": "店长交接，月中复盘"},
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
                        "root_cause": "高峰期排班不足", "resolution_type": "apology",
                        "compensation_amount": 0,
                        "resolution_plan": "店长致电致歉并赠送会员积分；调整周末排班"},
        "compensation_approval": {"approved": True, "approval_comment": "同意按方案赔付"},
        "customer_follow_up": {"customer_satisfied": True, "feedback": "客户接受致歉，表示满意"},
        "final_decision": {"final_resolution": "goodwill", "final_comment": "赠送200元购物券，本投诉结案"},
        "sla_escalation": {"escalation_action": "urge_handler",
                           "escalation_note": "已电话督促处理人今日内给出方案"},
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
        "plan_countersign": {"countersign_approved": True, "countersign_comment": "同意"},
        "approval_reminder": {"acknowledged": True},
        "revise_plan": {"address": "上海市静安区南京西路1788号1层", "area_sqm": 160, "store_type": "direct",
                        "planned_opening_date": "2026-12-25", "budget": 780000,
                        "revision_note": "缩小面积、压缩装修预算，开业推迟一周",
                        "revision_action": "resubmit"},
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
        "remediation": {"remediation_note": "已补齐消防指示牌并更换破损灯箱",
                        "remediation_date": "2026-12-17"},
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
        "launch_promotion": {"promotion_theme": "春日序曲 新品上市",
                             "promotion_channels": ["wechat", "xiaohongshu"],
                             "promotion_start_date": "2027-02-18", "promotion_budget": 60000},
        "store_shelving": {"shelved_date": "2027-02-19", "shelved_qty": 1200, "display_compliant": True},
        "sell_through_analysis": {"sell_through_rate": 42.5, "sold_qty": 2200,
                                  "best_sellers": "S27-DR-0101 碎花连衣裙",
                                  "slow_sellers": "S27-PT-0310 阔腿裤",
                                  "reorder_needed": True,
                                  "analysis_summary": "连衣裙类两周售罄超60%，建议返单"},
        "reorder": {"reorder_po_no": "PO-2027-0188",
                    "reorder_items": [{"sku": "S27-DR-0101", "quantity": 600}],
                    "expected_delivery_date": "2027-03-20"},
    },
}


def _ship(data: dict[str, Any]) -> dict[str, Any]:
    return {"shipped_items": copy.deepcopy(data["shipped_items"]), "logistics_company": "顺丰速运",
            "logistics_no": "SF1029384756", "shipped_date": "2026-11-03"}


def _confirm(data: dict[str, Any]) -> dict[str, Any]:
    return {"received_items": copy.deepcopy(data["received_items"]), "received_date": "2026-11-05",
            "receipt_note": "已逐件核对"}


def _settle(data: dict[str, Any]) -> dict[str, Any]:
    return {"settlement_amount": data["received_amount"], "settlement_no": "ST-2026-1106",
            "settlement_date": "2026-11-09", "finance_comment": "按实收数量结算"}


SUBMIT["stock_transfer"] = {
    "merchandiser_approval": {"approved": True, "merchandiser_comment": "同意，补足周末尺码"},
    "cs_approval": {"approved": True, "cs_comment": "已与加盟商确认数量与结算"},
    "director_approval": {"approved": True, "director_comment": "同意"},
    "ship_from_store": _ship, "ship_from_warehouse": _ship,
    "ship_escalation": {"ship_action": "continue", "escalation_note": "已电话督促，明日发出"},
    "confirm_receipt": _confirm,
    "receipt_follow_up": {"follow_up_note": "已联系店长，今日内确认"},
    "resolve_difference": {"resolution": "logistics_claim", "resolution_note": "短少1件，向物流索赔"},
    "settlement": _settle,
}


def _allocate(data: dict[str, Any]) -> dict[str, Any]:
    return {"allocation_items": copy.deepcopy(data["allocation_items"]),
            "allocation_note": "库存充足，全部满足"}


def _check_shortage(data: dict[str, Any]) -> dict[str, Any]:
    return {"shortage_items": copy.deepcopy(data["shortage_items"]), "check_note": "装箱单核对确认少发"}


def _order_credit(data: dict[str, Any]) -> dict[str, Any]:
    return {"credit_amount": data["default_credit_amount"], "credit_note_no": "CN-2026-1110",
            "credit_date": "2026-11-10", "finance_comment": "少货补偿"}


SUBMIT["franchise_order"] = {
    "cs_check": {"order_valid": True, "credit_limit": 200000, "outstanding_balance": 50000,
                 "cs_comment": "款号价格无误"},
    "finance_decision": {"approved": True, "finance_comment": "已回款，放行"},
    "allocate": _allocate,
    "ship_from_warehouse": _ship, "ship_escalation": SUBMIT["stock_transfer"]["ship_escalation"],
    "confirm_receipt": _confirm,
    "warehouse_check": _check_shortage,
    "credit_note": _order_credit,
}
START.update(samples_daily.START)
SUBMIT.update(samples_daily.SUBMIT)


def _book(data: dict[str, Any]) -> dict[str, Any]:
    """The merchandiser's book stock: 2 coats fewer counted than booked, 1 cardigan more."""
    lines = copy.deepcopy(data["reconcile_lines"])
    lines[0]["book_quantity"] = lines[0]["counted_quantity"] + 2
    lines[0]["difference_reason"] = "疑似被盗，已报警"
    lines[1]["book_quantity"] = lines[1]["counted_quantity"] - 1
    lines[1]["difference_reason"] = "调拨单未入账"
    return {"reconcile_lines": lines, "recount": False, "reconcile_comment": "差异已与店长核实"}


COUNT = {"count_lines": [
    {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "counted_quantity": 18, "unit_cost": 620.0},
    {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 41, "unit_cost": 150.0},
    {"sku": "W26-PT-1102", "name": "直筒西裤", "counted_quantity": 30, "unit_cost": 110.0}],
    "count_date": "2026-12-01", "counter_note": "闭店后盘点，两人复核"}
SUBMIT["monthly_stocktake"] = {
    "store_count": COUNT,
    "warehouse_count": COUNT,
    "reconcile": _book,
    "director_approval": {"approved": True, "director_comment": "同意按损溢表调账"},
    "adjust_books": {"adjustment_no": "TZ-2026-1203", "adjusted_date": "2026-12-03",
                     "finance_comment": "已调整账面库存与成本"},
}


def submission(process_key: str, element_id: str, data: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The sample submission for a step (investigation tasks share one), with overrides."""
    samples = SUBMIT[process_key]
    key = "investigate" if element_id.startswith("investigate_") else element_id
    sample = samples[key]
    result = sample(data) if callable(sample) else copy.deepcopy(sample)
    result.update(overrides)
    return result

