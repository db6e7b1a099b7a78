"""Sample start data and submissions of the daily hand-offs (费用报销/借支, 店铺巡检), merged into
samples.py's tables."""
from __future__ import annotations

import copy
from typing import Any, Callable

START: dict[str, dict[str, Any]] = {
    "expense_claim": {
        "store_code": "SH001", "claim_type": "expense", "purpose": "11月门店耗材与橱窗维修",
        "claim_lines": [
            {"category": "store_supplies", "expense_date": "2026-10-28", "amount": 386.5,
             "note": "购物袋、衣架"},
            {"category": "repair", "expense_date": "2026-10-30", "amount": 1200, "note": "橱窗灯箱维修"}],
        "photos": ["1", "2"],
    },
    "store_inspection": {
        "store_code": "SH001", "inspection_date": "2026-11-02",
        "checklist": [
            {"area": "display", "item": "橱窗按当季陈列指引布置", "score": 92, "passed": True},
            {"area": "image", "item": "店员着装与仪容", "score": 65, "passed": False,
             "note": "两名店员未佩戴工牌"},
            {"area": "stock", "item": "仓库货品分区与标识", "score": 70, "passed": False,
             "note": "仓库货品未按款号分区"},
            {"area": "service", "item": "迎宾与试衣服务", "score": 88, "passed": True}],
        "inspection_summary": "陈列与服务良好，形象与库存管理需整改",
    },
}


def _inspect(data: dict[str, Any]) -> dict[str, Any]:
    """开季巡检 of a scheduled case: the sample checklist, on the season's first day."""
    sample = copy.deepcopy(START["store_inspection"])
    return {"inspection_date": data["scheduled_period"][:10], "checklist": sample["checklist"],
            "inspection_summary": sample["inspection_summary"]}


def _rectify(data: dict[str, Any]) -> dict[str, Any]:
    """Rectified on 6 November, or on the day of a later (a season's) inspection."""
    return {"rectification_note": "已按标准整改",
            "rectified_date": max("2026-11-06", data["inspection_date"])}


def _recheck(data: dict[str, Any]) -> dict[str, Any]:
    return {"recheck_items": [{**row, "passed": True, "recheck_note": "已整改到位"} for row in
                              copy.deepcopy(data["recheck_items"])],
            "recheck_date": max("2026-11-10", data["inspection_date"])}


SUBMIT: dict[str, dict[str, dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "expense_claim": {
        "supervisor_approval": {"approved": True, "supervisor_comment": "同意"},
        "claim_countersign": {"claim_countersign_approved": True, "countersign_comment": "同意"},
        "payment": {"payment_method": "bank_transfer", "payment_no": "PAY-2026-1105",
                    "paid_date": "2026-11-05", "finance_comment": "已转账"},
    },
    "store_inspection": {
        "inspect": _inspect,
        "rectify": _rectify,
        "recheck": _recheck,
    },
}
