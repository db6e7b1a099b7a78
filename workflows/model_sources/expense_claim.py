"""费用报销/借支: a store manager (or a trainer, for the stores they visit) claims expenses with
their receipts, or asks for an advance (借支) against expenses to come; the store supervisor of the
store's region approves; the `expense_approval` table decides when the director and finance must
both approve as well (会签); finance pays, and the payment is a point of no return.

Every claim is written as lines (category, date, amount, note): an advance's lines are the expenses
it is for, so the amount is always the sum of the lines. An expense claim needs at least one receipt
photo (`photos`, the case's attachments); an advance needs none.

An expense claim may offset one of the claimant's paid advances (`offset_advance`, its business
key; checked and recorded by `workflows.advances` as the case starts): finance pays the claim less
the advance (`pay_amount`) and collects what the advance had beyond it (`advance_return`).
"""
from . import Lane, ProcessSource, approval, default, end, flows, gateway, rule, script, start, user

PROCESS = ProcessSource(
    key="expense_claim",
    name="费用报销/借支",
    doc="店长或培训督导提交费用报销（附票据照片）或借支申请，直营主管审批；按报销审批规则，"
        "大额申请由运营总监与财务会签；财务付款后不可撤回。",
    lanes=(Lane("store_manager"), Lane("store_supervisor"), Lane("ops_director", 2), Lane("finance")),
    nodes=(
        start("start", "提交报销/借支", "Submit claim", "store_manager", 0),
        script("compute_claim", "计算申请金额", "Compute claim amount", "store_manager", 1, code="""
claim_amount = sum_of(claim_lines, "amount")
line_count = len(claim_lines)
pay_amount = round(claim_amount - offset_amount, 2)
advance_return = round(advance_amount - offset_amount, 2)
"""),
        user("supervisor_approval", "直营主管审批", "Supervisor approval", "store_supervisor", 2, due=48,
             doc="核对费用明细、票据与预算；驳回请写明原因。"),
        gateway("xor", "supervisor_ok", "主管批准？", "Approved by supervisor?", "store_supervisor", 3),
        end("end_supervisor_rejected", "主管驳回", "Rejected by supervisor", "store_manager", 4,
            outcome="rejected"),
        rule("approval_rules", "报销审批规则", "Expense approval rule", "store_supervisor", 4,
             decision="expense_approval"),
        gateway("xor", "needs_countersign_check", "需会签？", "Countersign needed?", "store_supervisor", 5),
        user("claim_countersign", "大额报销会签", "Countersign large claim", "ops_director", 6, 1, due=48,
             multi=approval("all", "claim_countersigners", "claim_countersign_decisions",
                            decision="claim_countersign_approved", item="claim_approver",
                            role="ops_director, finance"),
             post_script="approved = all(claim_countersign_decisions)",
             doc="超过审批额度的报销或借支由运营总监与财务会签：全部批准方可付款，任何一人驳回即结束申请。"),
        gateway("xor", "countersign_ok", "会签通过？", "Countersigned?", "ops_director", 7, 1),
        end("end_countersign_rejected", "会签驳回", "Rejected at countersign", "ops_director", 8,
            outcome="rejected"),
        gateway("xor", "approved_merge", "", "", "finance", 9),
        user("payment", "财务付款", "Pay the claim", "finance", 10, due=72, no_return=True,
             doc="核对票据与金额后付款，填写付款单号与日期；付款后申请不可撤回或退回。"),
        end("end_paid", "已付款", "Paid", "finance", 11, outcome="paid"),
    ),
    flows=flows(
        ("start", "compute_claim"),
        ("compute_claim", "supervisor_approval"),
        ("supervisor_approval", "supervisor_ok"),
        ("supervisor_ok", "approval_rules", "批准", "approved == True"),
        default("supervisor_ok", "end_supervisor_rejected", "驳回"),
        ("approval_rules", "needs_countersign_check"),
        ("needs_countersign_check", "claim_countersign", "需会签", "needs_countersign == True"),
        default("needs_countersign_check", "approved_merge", "无需"),
        ("claim_countersign", "countersign_ok"),
        ("countersign_ok", "approved_merge", "批准", "approved == True"),
        default("countersign_ok", "end_countersign_rejected", "驳回"),
        ("approved_merge", "payment"),
        ("payment", "end_paid"),
    ),
)
