"""加盟商订货/补货: a franchisee orders lines for their store; customer service checks the order
against the franchisee's credit (the `order_credit` table: over the limit, finance decides); the
merchandiser allocates (may fill partly: the rest is recorded as back-ordered); the warehouse picks
and ships through the shared 发货 (`ship_goods`, a call activity: the 发货指令单 is the allocated
lines); the franchisee confirms receipt line by line; a 少货 (shortage) claim goes to the warehouse
to check, then finance issues a credit note for what the warehouse confirms (a point of no return).

Shortages belong here, where the shipped quantities are known, not in 退货 (nothing comes back).
Credit limit and outstanding balance are what customer service reads from the finance system on the
day: OpsFlow keeps no ledger.
"""
from . import (
    Lane,
    ProcessSource,
    call,
    default,
    end,
    flows,
    gateway,
    message_boundary,
    rule,
    script,
    start,
    user,
)

PROCESS = ProcessSource(
    key="franchise_order",
    name="加盟商订货",
    doc="加盟商提交订货/补货单：客服按信用额度审核（超额由财务决定），商品专员配货（可部分满足，缺货登记），"
        "仓库按发货指令单发货，加盟商逐行确认收货；少货由仓库核实后财务开具红字单。",
    lanes=(Lane("franchisee", 2), Lane("cs_agent", 2), Lane("finance", 2), Lane("merchandiser", 2),
           Lane("warehouse_keeper", 2)),
    nodes=(
        start("start", "提交订货单", "Submit order", "franchisee", 0),
        script("compute_order", "计算订货金额", "Compute order amount", "franchisee", 1, code="""
total_amount = line_total(items)
quantity_total = sum_of(items, "quantity")
"""),
        user("cs_check", "客服审核订单", "Customer-service order check", "cs_agent", 2, due=24,
             doc="核对订单款号、数量与价格，从财务系统查询该加盟商的信用额度与未结余额后填写。"),
        gateway("xor", "order_ok", "订单有效？", "Order valid?", "cs_agent", 3),
        end("end_cs_rejected", "订单无效", "Order invalid", "cs_agent", 3, 1, outcome="rejected"),
        rule("credit_rules", "信用额度规则", "Credit rule", "cs_agent", 4, decision="order_credit"),
        gateway("xor", "over_limit", "超出额度？", "Over the credit limit?", "cs_agent", 5),
        user("finance_decision", "财务信用审批", "Finance credit decision", "finance", 6, due=24,
             doc="订单金额加未结余额超出信用额度：决定是否放行（可要求加盟商先回款）。"),
        gateway("xor", "finance_ok", "财务放行？", "Released by finance?", "finance", 7),
        end("end_finance_rejected", "财务不放行", "Held by finance", "finance", 7, 1, outcome="rejected"),
        gateway("xor", "after_credit", "", "", "cs_agent", 8),
        script("prepare_allocation", "生成配货单", "Prepare allocation", "cs_agent", 9, code="""
allocation_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line.get("colour_size", ""),
                     "quantity": line["quantity"], "unit_price": line["unit_price"],
                     "allocated_quantity": line["quantity"]} for line in items]
"""),
        user("allocate", "商品配货", "Allocate goods", "merchandiser", 10, due=48,
             doc="按库存逐行填写配货数量，不足部分登记为缺货（后续补货）。"),
        script("compute_allocation", "计算配货与缺货", "Compute allocation and back-orders", "merchandiser",
               11, code="""
backorder_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
                    "backorder_quantity": line["quantity"] - line["allocated_quantity"]}
                   for line in allocation_items if line["allocated_quantity"] < line["quantity"]]
allocated_total = sum_of(allocation_items, "allocated_quantity")
allocated_amount = line_total(allocation_items, qty="allocated_quantity")
"""),
        gateway("xor", "anything_allocated", "有货可发？", "Anything to ship?", "merchandiser", 12),
        end("end_nothing_allocated", "无货可配", "Nothing to allocate", "merchandiser", 13,
            outcome="rejected"),
        script("prepare_shipping", "生成发货指令单", "Prepare shipping order", "warehouse_keeper", 13,
               code="""
ship_lines = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
               "quantity": line["allocated_quantity"]} for line in allocation_items
              if line["allocated_quantity"] > 0]
ship_from_store = ""
"""),
        call("ship", "发货", "Ship goods", "warehouse_keeper", 14, process="ship_goods"),
        gateway("xor", "ship_done", "已发货？", "Shipped?", "warehouse_keeper", 15),
        end("end_ship_cancelled", "取消发货", "Shipping cancelled", "warehouse_keeper", 15, 1,
            outcome="cancelled"),
        script("prepare_receipt", "生成收货单", "Prepare goods receipt", "franchisee", 16, code="""
prices = {line["sku"]: line["unit_price"] for line in items}
received_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
                   "shipped_quantity": line["shipped_quantity"], "unit_price": prices.get(line["sku"], 0),
                   "received_quantity": line["shipped_quantity"], "line_note": ""}
                  for line in shipped_items if line["shipped_quantity"] > 0]
del prices
arrived_at = ""
signed_by = ""
"""),
        user("confirm_receipt", "确认收货", "Confirm receipt", "franchisee", 17, due=72,
             doc="货到后逐行核对实收数量；少于实发数量即为少货申报，请在行备注中说明。"),
        message_boundary("goods_arrived", "物流到货", "Goods arrived", "confirm_receipt",
                         message="logistics_arrival", form="goods_arrived.json", cc="role:franchisee"),
        end("end_arrival_noted", "已通知到货", "Arrival told", "franchisee", 17, 1),
        script("compute_shortage", "汇总少货", "Collect shortages", "franchisee", 18, code="""
shortage_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
                   "unit_price": line["unit_price"], "shipped_quantity": line["shipped_quantity"],
                   "claimed_quantity": line["shipped_quantity"] - line["received_quantity"],
                   "confirmed_quantity": line["shipped_quantity"] - line["received_quantity"],
                   "line_note": line.get("line_note", "")}
                  for line in received_items if line["received_quantity"] < line["shipped_quantity"]]
has_shortage = len(shortage_items) > 0
"""),
        gateway("xor", "shortage", "少货？", "Shortage claimed?", "franchisee", 19),
        end("end_delivered", "收货完成", "Delivered", "franchisee", 20, outcome="delivered"),
        user("warehouse_check", "仓库核实少货", "Warehouse checks shortage", "warehouse_keeper", 20, due=48,
             doc="核对出库记录、装箱单与监控，逐行确认少发数量（不超过申报数量）。"),
        script("compute_credit", "计算应补金额", "Compute credit amount", "warehouse_keeper", 21, code="""
default_credit_amount = line_total(shortage_items, qty="confirmed_quantity")
credit_amount = default_credit_amount
"""),
        gateway("xor", "confirmed", "确认少货？", "Shortage confirmed?", "warehouse_keeper", 22),
        end("end_shortage_refused", "少货不成立", "Shortage not confirmed", "warehouse_keeper", 22, 1,
            outcome="delivered"),
        user("credit_note", "财务开具红字单", "Credit note", "finance", 23, due=72, no_return=True,
             doc="按仓库确认的少货数量×单价（默认金额）开具红字单并对帐。"),
        end("end_credited", "少货已补偿", "Shortage credited", "finance", 24, outcome="credited"),
    ),
    flows=flows(
        ("start", "compute_order"),
        ("compute_order", "cs_check"),
        ("cs_check", "order_ok"),
        ("order_ok", "credit_rules", "有效", "order_valid == True"),
        default("order_ok", "end_cs_rejected", "无效"),
        ("credit_rules", "over_limit"),
        ("over_limit", "finance_decision", "超额", "needs_finance == True"),
        default("over_limit", "after_credit", "额度内"),
        ("finance_decision", "finance_ok"),
        ("finance_ok", "after_credit", "放行", "approved == True"),
        default("finance_ok", "end_finance_rejected", "不放行"),
        ("after_credit", "prepare_allocation"),
        ("prepare_allocation", "allocate"),
        ("allocate", "compute_allocation"),
        ("compute_allocation", "anything_allocated"),
        ("anything_allocated", "prepare_shipping", "有货", "allocated_total > 0"),
        default("anything_allocated", "end_nothing_allocated", "无货"),
        ("prepare_shipping", "ship"),
        ("ship", "ship_done"),
        ("ship_done", "end_ship_cancelled", "已取消", 'ship_action == "cancel"'),
        default("ship_done", "prepare_receipt", "已发货"),
        ("prepare_receipt", "confirm_receipt"),
        ("goods_arrived", "end_arrival_noted"),
        ("confirm_receipt", "compute_shortage"),
        ("compute_shortage", "shortage"),
        ("shortage", "warehouse_check", "申报少货", "has_shortage == True"),
        default("shortage", "end_delivered", "无少货"),
        ("warehouse_check", "compute_credit"),
        ("compute_credit", "confirmed"),
        ("confirmed", "credit_note", "确认", "default_credit_amount > 0"),
        default("confirmed", "end_shortage_refused", "不成立"),
        ("credit_note", "end_credited"),
    ),
)
