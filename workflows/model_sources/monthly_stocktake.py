"""月度盘点: started by the schedule at 02:00 on the 1st of each month, one case per open store and one
for the warehouse (`startFor` = stores, `startAlsoOnce`); a merchandiser may start one by hand for a
store (a recount, a store opened mid-month). The store manager (the warehouse keeper for the
warehouse's case) enters the counted lines within 3 days, else the count is overdue; the
merchandiser enters the book stock beside each line and either asks for a recount or confirms the
differences; a net loss at cost of 5000 元 or more (`stocktake_approval`) needs the director's approval
of the 盘点损溢表 (a refusal goes back to the merchandiser); finance adjusts the books (the point of no
return).
"""
from . import Lane, ProcessSource, default, end, flows, gateway, rule, script, timer_start, user

PROCESS = ProcessSource(
    key="monthly_stocktake",
    name="月度盘点",
    doc="每月1日按计划为每家营业门店及成品仓各发起一次盘点：店长（仓管员）3天内录入实盘数量，商品部核对账面库存与差异，"
        "净损失达到5000元的盘点损溢表由运营总监审批，财务据此调整账面。",
    lanes=(Lane("store_manager"), Lane("warehouse_keeper"), Lane("merchandiser", 2), Lane("ops_director"),
           Lane("finance")),
    nodes=(
        timer_start("start", "月度盘点", "Monthly stocktake", "merchandiser", 0,
                    cycle="R/2026-01-01T02:00:00+08:00/P1M",
                    start_for=(("startFor", "stores"), ("storeStatus", "open"), ("startAlsoOnce", "true"))),
        script("prepare_count", "准备盘点", "Prepare the count", "merchandiser", 1, code="""
count_opened_at = now()
count_deadline = add_days(count_opened_at, 3)
count_scope = "store" if store_code else "warehouse"
counter_note = ""
reconcile_comment = ""
"""),
        gateway("xor", "count_where", "门店还是仓库？", "Store or warehouse?", "merchandiser", 2),
        user("store_count", "门店盘点录入", "Store count", "store_manager", 3, due=72,
             doc="逐款录入实盘数量与成本单价；3天内未完成即为逾期。"),
        user("warehouse_count", "成品仓盘点录入", "Warehouse count", "warehouse_keeper", 3, due=72,
             doc="逐款录入成品仓实盘数量与成本单价；3天内未完成即为逾期。"),
        gateway("xor", "counted", "", "", "merchandiser", 4),
        script("prepare_reconcile", "生成核对表", "Prepare reconciliation", "merchandiser", 5, code="""
reconcile_lines = [{"sku": line["sku"], "name": line["name"], "counted_quantity": line["counted_quantity"],
                    "unit_cost": line["unit_cost"], "book_quantity": line["counted_quantity"],
                    "difference_reason": ""} for line in count_lines]
"""),
        user("reconcile", "商品部核对差异", "Reconcile against book stock", "merchandiser", 6, due=48,
             doc="逐行填写账面库存，说明差异原因；数量明显不对的请要求复盘。"),
        gateway("xor", "recount_needed", "需要复盘？", "Recount needed?", "merchandiser", 7),
        script("compute_differences", "计算盘点损溢", "Compute gains and losses", "merchandiser", 8, code="""
difference_lines = [{"sku": line["sku"], "name": line["name"], "book_quantity": line["book_quantity"],
                     "counted_quantity": line["counted_quantity"],
                     "kind": "loss" if line["counted_quantity"] < line["book_quantity"] else "gain",
                     "quantity": abs(line["counted_quantity"] - line["book_quantity"]),
                     "amount": round(abs(line["counted_quantity"] - line["book_quantity"])
                                     * line["unit_cost"], 2),
                     "difference_reason": line.get("difference_reason", "")}
                    for line in reconcile_lines if line["counted_quantity"] != line["book_quantity"]]
loss_amount = round(sum([d["amount"] for d in difference_lines if d["kind"] == "loss"]), 2)
gain_amount = round(sum([d["amount"] for d in difference_lines if d["kind"] == "gain"]), 2)
net_loss_amount = round(max(0, loss_amount - gain_amount), 2)
"""),
        rule("approval_rules", "损溢审批规则", "Gain/loss approval rule", "merchandiser", 9,
             decision="stocktake_approval"),
        gateway("xor", "needs_director_gw", "需总监审批？", "Director approval needed?", "merchandiser", 10),
        user("director_approval", "运营总监审批损溢表", "Director approves the gain/loss sheet",
             "ops_director", 11, due=48, doc="审批盘点损溢表；不同意时请写明原因，退回商品部重新核对。"),
        gateway("xor", "director_ok", "总监批准？", "Approved by director?", "ops_director", 12),
        gateway("xor", "after_director", "", "", "finance", 12.5),
        user("adjust_books", "财务调整账面", "Finance adjusts the books", "finance", 13, due=72,
             no_return=True, doc="按盘点损溢表调整账面库存与成本，填写调账凭证号。"),
        end("end_adjusted", "账面已调整", "Books adjusted", "finance", 14, outcome="adjusted"),
    ),
    flows=flows(
        ("start", "prepare_count"),
        ("prepare_count", "count_where"),
        ("count_where", "store_count", "门店", 'count_scope == "store"'),
        default("count_where", "warehouse_count", "成品仓"),
        ("store_count", "counted"),
        ("warehouse_count", "counted"),
        ("counted", "prepare_reconcile"),
        ("prepare_reconcile", "reconcile"),
        ("reconcile", "recount_needed"),
        ("recount_needed", "count_where", "复盘", "recount == True"),
        default("recount_needed", "compute_differences", "差异已核对"),
        ("compute_differences", "approval_rules"),
        ("approval_rules", "needs_director_gw"),
        ("needs_director_gw", "director_approval", "需审批", "needs_director == True"),
        default("needs_director_gw", "after_director", "无需"),
        ("director_approval", "director_ok"),
        ("director_ok", "after_director", "批准", "approved == True"),
        default("director_ok", "reconcile", "退回核对"),
        ("after_director", "adjust_books"),
        ("adjust_books", "end_adjusted"),
    ),
)
