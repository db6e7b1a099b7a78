"""发货: the shared sub-process a transfer (调拨) or an order calls when goods leave a store or the
warehouse. Not started on its own: a caller's call activity runs it as steps of the caller's case.

What the caller hands it (the case data, copied in): `ship_lines` (sku, name, colour_size, quantity)
and `ship_from_store` (the sending store's code; empty: the warehouse ships). What it hands back:
`shipped_items` (each line with `shipped_quantity`), `logistics_company`, `logistics_no`,
`shipped_date`, `shipped_quantity_total`, and `ship_action` = "cancel" when the merchandiser
cancelled the shipment. The sender has 48 hours (an overdue reminder then); 72 hours after the
shipment was prepared the merchandiser is asked to intervene: chase it (the sender gets 24 hours
more, then is asked again) or cancel it.

A store-scoped task goes to holders of its lane's role for `store_code`: the sending store's manager
ships, so `prepare_shipment` points `store_code` at the sending store, and `finish_shipment` puts the
caller's store back before the data returns to the caller.
"""
from . import Lane, ProcessSource, boundary, default, end, flows, gateway, node, script, user

PROCESS = ProcessSource(
    key="ship_goods",
    name="发货",
    doc="共用发货子流程：仓库或调出门店按发货单拣货发货，填写实发数量与物流单号；48小时内未发货提醒，"
        "72小时未发货由商品专员督办（继续发货或取消）。由调拨、订货等流程调用。",
    lanes=(Lane("warehouse_keeper"), Lane("store_manager"), Lane("merchandiser")),
    nodes=(
        node("start", "start_ship", "开始发货", "Start shipping", "warehouse_keeper", 0),
        script("prepare_shipment", "生成发货单", "Prepare shipping order", "warehouse_keeper", 1, code="""
caller_store_code = store_code
ship_action = ""
shipped_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line.get("colour_size", ""),
                  "quantity": line["quantity"], "shipped_quantity": line["quantity"]} for line in ship_lines]
escalate_at = add_hours(now(), 72)
if ship_from_store:
    store_code = ship_from_store
"""),
        gateway("xor", "ship_from", "谁发货？", "Who ships?", "warehouse_keeper", 2),
        user("ship_from_warehouse", "仓库拣货发货", "Warehouse picks and ships", "warehouse_keeper", 3,
             due=48,
             doc="按发货单拣货发货，逐行填写实发数量，填写物流公司与物流单号。"),
        boundary("warehouse_late", "72小时未发货", "Not shipped in 72 hours", "ship_from_warehouse",
                 date="escalate_at"),
        user("ship_from_store", "门店拣货发货", "Store picks and ships", "store_manager", 3, due=48,
             doc="按调拨单拣货发货，逐行填写实发数量，填写物流公司与物流单号。"),
        boundary("store_late", "72小时未发货", "Not shipped in 72 hours", "ship_from_store",
                 date="escalate_at"),
        user("ship_escalation", "发货超时督办", "Shipping overdue follow-up", "merchandiser", 4, due=24,
             doc="发货方超过72小时未发货：联系发货方后选择继续发货（再给24小时）或取消发货。"),
        gateway("xor", "escalation_action", "督办结果？", "Follow-up decision?", "merchandiser", 5),
        script("renew_deadline", "延长发货期限", "Extend shipping deadline", "merchandiser", 6, code="""
escalate_at = add_hours(now(), 24)
"""),
        gateway("xor", "shipped", "", "", "warehouse_keeper", 5),
        script("finish_shipment", "发货完成", "Shipment done", "warehouse_keeper", 6, code="""
store_code = caller_store_code
shipped_quantity_total = sum_of(shipped_items, "shipped_quantity")
"""),
        end("end_ship", "发货结束", "Shipping ended", "warehouse_keeper", 7),
    ),
    flows=flows(
        ("start_ship", "prepare_shipment"),
        ("prepare_shipment", "ship_from"),
        ("ship_from", "ship_from_store", "门店发货", "bool(ship_from_store)"),
        default("ship_from", "ship_from_warehouse", "仓库发货"),
        ("ship_from_warehouse", "shipped"),
        ("ship_from_store", "shipped"),
        ("warehouse_late", "ship_escalation"),
        ("store_late", "ship_escalation"),
        ("ship_escalation", "escalation_action"),
        ("escalation_action", "shipped", "取消发货", 'ship_action == "cancel"'),
        default("escalation_action", "renew_deadline", "继续发货"),
        ("renew_deadline", "ship_from", "", None, False, 1),
        ("shipped", "finish_shipment"),
        ("finish_shipment", "end_ship"),
    ),
)
