"""货品调拨: goods move from a store or the warehouse to another store.

The proposer (a store manager or franchisee for the receiving store, or the merchandiser) enters the
lines; the merchandiser approves; the `transfer_approval` table says when customer service must
approve too (a franchise store on either side: its stock is the franchisee's) and when the director
must (by value). The sending side ships through the shared sub-process 发货 (`ship_goods`, a call
activity); the receiving store confirms receipt line by line within 5 days (then the store
supervisor is asked to chase it, without stopping the receipt); differences go to the merchandiser
to resolve; a transfer between different owners ends with finance settling it, a point of no return.

The receiving store is the case's store (`store_code`), so a store-scoped proposer asks for goods
for their own store; the engine checks the sending store (`from_store`, empty when the warehouse
ships; required when a store ships, by the start form; never the receiving store) and hands the
rules the kind and owner of both stores (`store_kind`, `from_store_kind`,
`store_owner`, `from_store_owner`: the franchisee company recorded on a franchise store, "" for the
brand's direct stores and the warehouse). Settlement (`needs_settlement`) follows the owners alone:
franchisee ↔ franchisee, franchisee ↔ direct or warehouse are settled; two stores of one franchisee
are not, nor are the brand's own. A franchise store with no owner recorded is its own owner.
"""
from . import (
    Flow,
    Lane,
    ProcessSource,
    boundary,
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
    key="stock_transfer",
    name="货品调拨",
    doc="门店、加盟商或商品专员发起调拨：商品专员审批，涉及加盟店时客服审批，大额由运营总监审批；"
        "调出方（门店或仓库）发货，调入门店5天内逐行确认收货，差异由商品专员处理，不同所有者（加盟商之间、加盟与直营）之间的调拨由财务结算，同一加盟商的门店之间无需结算。",
    lanes=(Lane("store_manager", 2), Lane("merchandiser", 2), Lane("cs_agent", 2), Lane("ops_director", 2),
           Lane("warehouse_keeper"), Lane("store_supervisor"), Lane("finance")),
    nodes=(
        start("start", "提交调拨申请", "Submit transfer request", "store_manager", 0),
        script("compute_transfer", "计算调拨金额", "Compute transfer value", "store_manager", 1, code="""
try:
    from_store
except NameError:
    from_store = ""
if ship_from == "warehouse":
    from_store = ""
    from_store_kind = "warehouse"
    from_store_owner = ""
needs_settlement = store_owner != from_store_owner
total_amount = line_total(items)
item_count = len(items)
quantity_total = sum_of(items, "quantity")
"""),
        rule("approval_rules", "调拨审批规则", "Transfer approval rule", "merchandiser", 2,
             decision="transfer_approval"),
        user("merchandiser_approval", "商品部审批", "Merchandising approval", "merchandiser", 3, due=24,
             doc="从货品配发的合理性审核调拨：款号、数量与调出调入门店是否合适；驳回请写明原因。"),
        gateway("xor", "merch_ok", "商品部批准？", "Approved by merchandising?", "merchandiser", 4),
        end("end_merch_rejected", "商品部驳回", "Rejected by merchandising", "merchandiser", 4, 1,
            outcome="rejected"),
        gateway("xor", "needs_cs", "需客服审批？", "Customer-service approval needed?", "merchandiser", 5),
        user("cs_approval", "客服审批", "Customer-service approval", "cs_agent", 6, due=24,
             doc="涉及加盟店的调拨：与加盟商确认调出或调入的货品、数量与结算方式。"),
        gateway("xor", "cs_ok", "客服批准？", "Approved by customer service?", "cs_agent", 7),
        end("end_cs_rejected", "客服驳回", "Rejected by customer service", "cs_agent", 7, 1,
            outcome="rejected"),
        gateway("xor", "after_cs", "", "", "merchandiser", 8),
        gateway("xor", "needs_director", "需总监审批？", "Director approval needed?", "merchandiser", 9),
        user("director_approval", "运营总监审批", "Director approval", "ops_director", 10, due=48,
             doc="大额调拨由运营总监审批；驳回请写明原因。"),
        gateway("xor", "director_ok", "总监批准？", "Approved by director?", "ops_director", 11),
        end("end_director_rejected", "总监驳回", "Rejected by director", "ops_director", 11, 1,
            outcome="rejected"),
        gateway("xor", "after_director", "", "", "merchandiser", 12),
        script("prepare_shipping", "生成调拨发货单", "Prepare transfer shipping", "merchandiser", 13, code="""
approved_at = now()
ship_lines = [{"sku": line["sku"], "name": line["name"], "colour_size": line.get("colour_size", ""),
               "quantity": line["quantity"]} for line in items]
ship_from_store = from_store
"""),
        call("ship", "发货", "Ship goods", "warehouse_keeper", 14, process="ship_goods"),
        gateway("xor", "ship_done", "已发货？", "Shipped?", "warehouse_keeper", 15),
        end("end_ship_cancelled", "取消调拨", "Transfer cancelled", "warehouse_keeper", 16,
            outcome="cancelled"),
        script("prepare_receipt", "生成收货单", "Prepare goods receipt", "store_manager", 16, code="""
prices = {line["sku"]: line["unit_price"] for line in items}
received_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
                   "shipped_quantity": line["shipped_quantity"], "unit_price": prices.get(line["sku"], 0),
                   "received_quantity": line["shipped_quantity"], "line_note": ""} for line in shipped_items]
receive_deadline = add_days(now(), 5)
del prices
arrived_at = ""
signed_by = ""
"""),
        user("confirm_receipt", "确认收货", "Confirm receipt", "store_manager", 17, due=120,
             doc="货到后逐行核对并填写实收数量，差异请在行备注中说明。发货后5天内未确认，将通知直营主管督促。"),
        boundary("receipt_late", "5天未确认收货", "Receipt not confirmed in 5 days", "confirm_receipt",
                 date="receive_deadline", interrupting=False),
        message_boundary("goods_arrived", "物流到货", "Goods arrived", "confirm_receipt",
                         message="logistics_arrival", form="goods_arrived.json", cc="role:store_manager",
                         slot=1),
        end("end_arrival_noted", "已通知到货", "Arrival told", "store_manager", 17, 1),
        user("receipt_follow_up", "督促确认收货", "Chase receipt confirmation", "store_supervisor", 18,
             due=24,
             doc="调入门店超过5天未确认收货：联系店长尽快核对确认。"),
        end("end_follow_up", "已督促", "Chased", "store_supervisor", 19),
        script("compute_difference", "核对差异", "Compare quantities", "store_manager", 18, code="""
difference_items = [{"sku": line["sku"], "name": line["name"], "colour_size": line["colour_size"],
                     "shipped_quantity": line["shipped_quantity"],
                     "received_quantity": line["received_quantity"],
                     "short_quantity": line["shipped_quantity"] - line["received_quantity"],
                     "line_note": line.get("line_note", "")}
                    for line in received_items if line["received_quantity"] != line["shipped_quantity"]]
has_difference = len(difference_items) > 0
received_amount = line_total(received_items, qty="received_quantity")
settlement_amount = received_amount
"""),
        gateway("xor", "difference", "有差异？", "Any difference?", "store_manager", 19, 1),
        user("resolve_difference", "差异处理", "Resolve difference", "merchandiser", 20, 1, due=72,
             doc="调出数量与实收数量不一致：与仓库、调出与调入门店核实后，选择处理方式并说明。"),
        gateway("xor", "after_difference", "", "", "merchandiser", 21),
        gateway("xor", "needs_settlement", "需结算？", "Settlement needed?", "merchandiser", 22),
        user("settlement", "财务结算", "Finance settlement", "finance", 23, due=72, no_return=True,
             doc="不同所有者之间的调拨：按实收数量×单价结算（默认金额），开具结算单。"),
        end("end_settled", "已结算", "Settled", "finance", 24, outcome="transferred"),
        end("end_transferred", "调拨完成", "Transferred", "merchandiser", 23, 1, outcome="transferred"),
    ),
    flows=flows(
        ("start", "compute_transfer"),
        ("compute_transfer", "approval_rules"),
        ("approval_rules", "merchandiser_approval"),
        ("merchandiser_approval", "merch_ok"),
        ("merch_ok", "needs_cs", "批准", "approved == True"),
        default("merch_ok", "end_merch_rejected", "驳回"),
        ("needs_cs", "cs_approval", "需审批", "needs_cs == True"),
        default("needs_cs", "after_cs", "无需"),
        ("cs_approval", "cs_ok"),
        ("cs_ok", "after_cs", "批准", "approved == True"),
        default("cs_ok", "end_cs_rejected", "驳回"),
        ("after_cs", "needs_director"),
        ("needs_director", "director_approval", "需审批", "needs_director == True"),
        default("needs_director", "after_director", "无需"),
        ("director_approval", "director_ok"),
        ("director_ok", "after_director", "批准", "approved == True"),
        default("director_ok", "end_director_rejected", "驳回"),
        ("after_director", "prepare_shipping"),
        ("prepare_shipping", "ship"),
        ("ship", "ship_done"),
        Flow("ship_done", "end_ship_cancelled", "已取消", 'ship_action == "cancel"'),
        default("ship_done", "prepare_receipt", "已发货"),
        ("prepare_receipt", "confirm_receipt"),
        ("receipt_late", "receipt_follow_up"),
        ("goods_arrived", "end_arrival_noted"),
        ("receipt_follow_up", "end_follow_up"),
        ("confirm_receipt", "compute_difference"),
        ("compute_difference", "difference"),
        ("difference", "resolve_difference", "有差异", "has_difference == True"),
        default("difference", "after_difference", "无差异"),
        ("resolve_difference", "after_difference"),
        ("after_difference", "needs_settlement"),
        ("needs_settlement", "settlement", "需结算", "needs_settlement == True"),
        default("needs_settlement", "end_transferred", "无需"),
        ("settlement", "end_settled"),
    ),
)
