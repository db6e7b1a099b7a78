"""客户投诉处理: triage by DMN, investigation by the handler role the table picks, compensation
approval above the threshold of the `compensation_approval` table, customer follow-up with at most
`max_reopens` reopenings, and a quality-feedback branch that never blocks closing the complaint.

The investigation is one user task per possible handler lane behind a gateway on `handler_role`,
because a lane is static and the handler is decided at run time; all four share `investigate.json`.

When is a complaint done? The case's outcome (`closed`) is recorded, and the requester told, when the
main path reaches `end_closed` or `end_final`. Side branches end in end events without an outcome:
the quality registration (an inclusive gateway's second branch, only for product_quality) and the
SLA escalation (non-interrupting timer) may still be open then, and the process instance completes
only when they are done too. That is deliberate: closing the complaint must not wait for feedback to
production, and that feedback must not be lost when the complaint closes.
"""
from . import Flow, Lane, ProcessSource, boundary, default, end, flows, gateway, rule, script, start, user

INVESTIGATE_DOC = ("核实投诉事实，查明原因，制定处理方案。赔付金额超过审批线时将转客户服务经理审批；"
                   "若为重新调查，请先阅读上次审批意见与客户回访反馈。")

PROCESS = ProcessSource(
    key="complaint_handling",
    name="客户投诉处理",
    doc="登记客户投诉，按类别与索赔金额分级并分派处理角色，超时督办，超额赔付审批，客户回访直至结案；"
        "产品质量问题同时反馈商品部。",
    lanes=(Lane("cs_agent", 2), Lane("store_manager"), Lane("merchandiser", 2), Lane("warehouse_keeper"),
           Lane("store_supervisor"), Lane("cs_manager", 2)),
    nodes=(
        start("start", "登记投诉", "Register complaint", "cs_agent", 0),
        rule("triage", "投诉分级", "Triage complaint", "cs_agent", 1, decision="complaint_triage"),
        script("init_case", "准备调查", "Prepare investigation", "cs_agent", 2, code="""
reopen_count = 0
approval_comment = ""
feedback = ""
"""),
        gateway("or", "quality_split", "产品质量问题？", "Product quality issue?", "cs_agent", 3),
        gateway("xor", "investigation_merge", "", "", "cs_agent", 4),
        script("start_investigation", "计算处理时限", "Compute handling deadline", "cs_agent", 5, code="""
sla_due_at = add_hours(now(), sla_hours)
"""),
        gateway("xor", "route_handler", "处理角色？", "Handled by?", "cs_agent", 6),
        user("investigate_store", "投诉调查与处理方案", "Investigate and propose resolution (store)",
             "store_manager", 7, form="investigate.json", due=24, doc=INVESTIGATE_DOC),
        user("investigate_merch", "投诉调查与处理方案", "Investigate and propose resolution (merchandising)",
             "merchandiser", 7, form="investigate.json", due=24, doc=INVESTIGATE_DOC),
        user("investigate_warehouse", "投诉调查与处理方案", "Investigate and propose resolution (warehouse)",
             "warehouse_keeper", 7, form="investigate.json", due=24, doc=INVESTIGATE_DOC),
        user("investigate_supervisor", "投诉调查与处理方案",
             "Investigate and propose resolution (supervisor)", "store_supervisor", 7,
             form="investigate.json", due=12, priority=1, doc=INVESTIGATE_DOC),
        boundary("sla_store", "处理超时", "Handling overdue", "investigate_store",
                 duration="duration_hours(sla_hours)", interrupting=False),
        boundary("sla_merch", "处理超时", "Handling overdue", "investigate_merch",
                 duration="duration_hours(sla_hours)", interrupting=False),
        boundary("sla_warehouse", "处理超时", "Handling overdue", "investigate_warehouse",
                 duration="duration_hours(sla_hours)", interrupting=False),
        boundary("sla_supervisor", "处理超时", "Handling overdue", "investigate_supervisor",
                 duration="duration_hours(sla_hours)", interrupting=False),
        gateway("xor", "sla_merge", "", "", "cs_manager", 8, 1),
        user("sla_escalation", "投诉超时督办", "Escalate overdue complaint", "cs_manager", 9, 1, due=4,
             priority=1, doc="投诉处理已超过时限：联系处理人督办，必要时介入或先行致电客户。"),
        end("end_sla_handled", "督办完成", "Escalation handled", "cs_manager", 10, 1),
        user("quality_registration", "质量问题登记", "Register quality issue", "merchandiser", 7, 1, due=72,
             doc="登记产品质量问题，反馈生产与供应商；不影响投诉结案。"),
        end("end_quality_registered", "质量问题已反馈", "Quality issue reported", "merchandiser", 9, 1),
        gateway("xor", "investigation_done", "", "", "cs_agent", 8),
        rule("compensation_check", "赔付审批规则", "Compensation approval rule", "cs_agent", 9,
             decision="compensation_approval"),
        gateway("xor", "needs_approval", "需赔付审批？", "Approval needed?", "cs_agent", 10),
        user("compensation_approval", "赔付审批", "Approve compensation", "cs_manager", 11, due=24,
             doc="审核调查结论与赔付金额；驳回时请写明意见，案件退回调查。"),
        gateway("xor", "approval_decision", "批准赔付？", "Compensation approved?", "cs_manager", 12),
        gateway("xor", "follow_up_merge", "", "", "cs_agent", 13),
        user("customer_follow_up", "客户回访", "Follow up with customer", "cs_agent", 14, due=24,
             doc="按处理方案回访客户，记录客户是否满意及反馈。"),
        gateway("xor", "satisfied", "客户满意？", "Customer satisfied?", "cs_agent", 15),
        end("end_closed", "投诉结案", "Complaint closed", "cs_agent", 16, outcome="closed"),
        script("count_reopen", "记录重开次数", "Count reopening", "cs_agent", 16, 1, code="""
reopen_count = reopen_count + 1
"""),
        gateway("xor", "reopen_limit", "可再次调查？", "Reopen allowed?", "cs_agent", 17, 1),
        user("final_decision", "最终处理", "Final decision", "cs_manager", 18, due=48, priority=2,
             doc="客户多次不满意，已达重新调查上限：由客户服务经理作出最终处理决定并结案。"),
        end("end_final", "经理裁定结案", "Closed by manager's decision", "cs_manager", 19, outcome="closed"),
    ),
    flows=flows(
        ("start", "triage"),
        ("triage", "init_case"),
        ("init_case", "quality_split"),
        ("quality_split", "investigation_merge", "调查处理", "True"),
        ("quality_split", "quality_registration", "产品质量", 'category == "product_quality"'),
        ("quality_registration", "end_quality_registered"),
        ("investigation_merge", "start_investigation"),
        ("start_investigation", "route_handler"),
        ("route_handler", "investigate_store", "店长", 'handler_role == "store_manager"'),
        ("route_handler", "investigate_merch", "商品专员", 'handler_role == "merchandiser"'),
        ("route_handler", "investigate_warehouse", "仓管员", 'handler_role == "warehouse_keeper"'),
        default("route_handler", "investigate_supervisor", "直营主管"),
        ("investigate_store", "investigation_done"),
        ("investigate_merch", "investigation_done"),
        ("investigate_warehouse", "investigation_done"),
        ("investigate_supervisor", "investigation_done"),
        ("sla_store", "sla_merge"),
        ("sla_merch", "sla_merge"),
        ("sla_warehouse", "sla_merge"),
        ("sla_supervisor", "sla_merge"),
        ("sla_merge", "sla_escalation"),
        ("sla_escalation", "end_sla_handled"),
        ("investigation_done", "compensation_check"),
        ("compensation_check", "needs_approval"),
        ("needs_approval", "compensation_approval", "需审批", "needs_approval == True"),
        default("needs_approval", "follow_up_merge", "无需审批"),
        ("compensation_approval", "approval_decision"),
        ("approval_decision", "follow_up_merge", "批准", "approved == True"),
        default("approval_decision", "investigation_merge", "驳回"),
        ("follow_up_merge", "customer_follow_up"),
        ("customer_follow_up", "satisfied"),
        ("satisfied", "end_closed", "满意", "customer_satisfied == True"),
        default("satisfied", "count_reopen", "不满意"),
        ("count_reopen", "reopen_limit"),
        Flow("reopen_limit", "investigation_merge", "重新调查", "reopen_count <= max_reopens", detour=1),
        default("reopen_limit", "final_decision", "已达上限"),
        ("final_decision", "end_final"),
    ),
)
