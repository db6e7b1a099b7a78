"""退货申请: customer-service review, approvals chosen by the `return_approval` table, receipt and
inspection within 14 days of approval (else the case closes as expired), a quality-feedback branch
that does not hold up the credit, and the finance credit note defaulted from accepted quantities.

As in complaints, the outcome (`credited`) is recorded when the main path ends; a quality
registration still open keeps the process instance running until the merchandiser completes it.
The warehouse form is pre-filled: `prepare_receipt` writes `received_items` from the approved lines
with received = accepted = requested quantity, and the warehouse corrects what differs.
Finance's credit note is a point of no return: once the refund is paid the case is neither sent back
(退回) nor withdrawn past it.
"""
from . import Flow, Lane, ProcessSource, boundary, default, end, flows, gateway, rule, script, start, user

PROCESS = ProcessSource(
    key="product_return",
    name="退货申请",
    doc="门店或加盟商提交退货申请：客服审核，按退货规则由商品部、运营总监审批，仓库在批准后14天内收货检验，"
        "财务按验收数量退款对帐；确认的质量问题同时反馈商品部。",
    lanes=(Lane("franchisee"), Lane("cs_agent"), Lane("merchandiser", 2), Lane("ops_director", 2),
           Lane("warehouse_keeper", 2), Lane("finance")),
    nodes=(
        start("start", "提交退货申请", "Submit return request", "franchisee", 0),
        script("compute_total", "计算退货金额", "Compute return amount", "franchisee", 1, code="""
total_amount = line_total(items)
item_count = len(items)
merchandiser_comment = ""
"""),
        user("cs_review", "客服审核", "Customer-service review", "cs_agent", 2, due=24,
             doc="核对退货商品、数量、金额与原因是否属实、是否符合退货政策。"),
        gateway("xor", "review_ok", "审核通过？", "Review passed?", "cs_agent", 3),
        end("end_review_rejected", "审核未通过", "Rejected by review", "franchisee", 4, outcome="rejected"),
        rule("approval_rules", "退货审批规则", "Return approval rule", "cs_agent", 4,
             decision="return_approval"),
        gateway("xor", "needs_merch", "需商品部审批？", "Merchandising approval needed?", "cs_agent", 5),
        user("merchandiser_approval", "商品部审批", "Merchandising approval", "merchandiser", 6, due=48,
             doc="从库存、售罄与质量角度审批退货；驳回请写明原因。"),
        gateway("xor", "merch_ok", "商品部批准？", "Approved by merchandising?", "merchandiser", 7),
        end("end_merch_rejected", "商品部驳回", "Rejected by merchandising", "merchandiser", 8, 1,
            outcome="rejected"),
        gateway("xor", "after_merch", "", "", "cs_agent", 8),
        gateway("xor", "needs_director", "需总监审批？", "Director approval needed?", "cs_agent", 9),
        user("director_approval", "运营总监审批", "Director approval", "ops_director", 10, due=48,
             doc="大额退货由运营总监审批；驳回请写明原因。总监的决定抄送该区域的直营主管。",
             cc="role:store_supervisor"),
        gateway("xor", "director_ok", "总监批准？", "Approved by director?", "ops_director", 11),
        end("end_director_rejected", "总监驳回", "Rejected by director", "ops_director", 12, 1,
            outcome="rejected"),
        gateway("xor", "after_director", "", "", "cs_agent", 12),
        script("prepare_receipt", "生成收货单", "Prepare goods receipt", "cs_agent", 13, code="""
approved_at = now()
receive_deadline = add_days(approved_at, 14)
received_items = [{"sku": line["sku"], "name": line["name"], "quantity": line["quantity"],
                   "unit_price": line["unit_price"], "received_quantity": line["quantity"],
                   "accepted_quantity": line["quantity"]} for line in items]
"""),
        user("receive_inspect", "收货检验", "Receive and inspect", "warehouse_keeper", 14, due=336,
             doc="退货到仓后逐行填写实收与验收合格数量，给出检验结论；确认属于产品质量问题的请勾选。"
                 "批准后14天内未到货，申请将超期关闭。"),
        boundary("receive_timeout", "14天未到货", "Not received in 14 days", "receive_inspect",
                 date="receive_deadline"),
        end("end_expired", "超期关闭", "Closed as expired", "warehouse_keeper", 15, 1, outcome="expired"),
        gateway("or", "defect_split", "确认质量问题？", "Quality defect confirmed?", "warehouse_keeper", 15),
        user("quality_registration", "质量问题登记", "Register quality issue", "merchandiser", 16, 1, due=72,
             doc="登记退货中确认的质量问题，反馈生产与供应商；不影响退款。"),
        end("end_quality_registered", "质量问题已反馈", "Quality issue reported", "merchandiser", 17, 1),
        gateway("xor", "inspection_ok", "验收结果？", "Inspection result?", "warehouse_keeper", 16),
        end("end_inspection_rejected", "验收不合格", "Rejected at inspection", "warehouse_keeper", 17, 1,
            outcome="rejected"),
        script("compute_credit", "计算应退金额", "Compute credit amount", "warehouse_keeper", 17, code="""
inspected_items = [{"sku": line["sku"], "name": line["name"], "unit_price": line["unit_price"],
                    "received_quantity": line["received_quantity"],
                    "accepted_quantity": line["accepted_quantity"],
                    "line_credit": line_total([line], qty="accepted_quantity")} for line in received_items]
accepted_quantity = sum_of(received_items, "accepted_quantity")
default_credit_amount = line_total(received_items, qty="accepted_quantity")
credit_amount = default_credit_amount
"""),
        user("credit_note", "财务退款对帐", "Credit note and reconciliation", "finance", 18, due=72,
             no_return=True,
             doc="按验收合格数量核对应退金额（默认为合格数量×单价），开具红字单/退款单并对帐。"),
        end("end_credited", "退款完成", "Credited", "finance", 19, outcome="credited"),
    ),
    flows=flows(
        ("start", "compute_total"),
        ("compute_total", "cs_review"),
        ("cs_review", "review_ok"),
        ("review_ok", "approval_rules", "通过", "valid == True"),
        default("review_ok", "end_review_rejected", "不通过"),
        ("approval_rules", "needs_merch"),
        ("needs_merch", "merchandiser_approval", "需审批", "needs_merchandiser == True"),
        default("needs_merch", "after_merch", "无需"),
        ("merchandiser_approval", "merch_ok"),
        ("merch_ok", "after_merch", "批准", "approved == True"),
        default("merch_ok", "end_merch_rejected", "驳回"),
        ("after_merch", "needs_director"),
        ("needs_director", "director_approval", "需审批", "needs_director == True"),
        default("needs_director", "after_director", "无需"),
        ("director_approval", "director_ok"),
        ("director_ok", "after_director", "批准", "approved == True"),
        default("director_ok", "end_director_rejected", "驳回"),
        ("after_director", "prepare_receipt"),
        ("prepare_receipt", "receive_inspect"),
        ("receive_inspect", "defect_split"),
        ("receive_timeout", "end_expired"),
        ("defect_split", "inspection_ok", "验收", "True"),
        ("defect_split", "quality_registration", "质量问题", "defect_confirmed == True"),
        ("quality_registration", "end_quality_registered"),
        Flow("inspection_ok", "end_inspection_rejected", "不合格", 'inspection_result == "fail"'),
        default("inspection_ok", "compute_credit", "合格/部分合格"),
        ("compute_credit", "credit_note"),
        ("credit_note", "end_credited"),
    ),
)
