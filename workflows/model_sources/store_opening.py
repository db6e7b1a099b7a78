"""新店开业: the director approves the plan (reminded after 48 hours; above a budget of 1,000,000 the
director and finance both approve it, 会签), revised until approved or withdrawn; five preparation
streams run in parallel, the supervisor inspects until everything passes, and a week after the
planned opening the store reports and the supervisor reviews.

Both ends are terminate events: once the case is decided, an unacknowledged reminder is moot, and
the case must complete so the engine can apply `store_status`.
"""
from . import (
    Lane,
    ProcessSource,
    approval,
    boundary,
    default,
    end,
    flows,
    gateway,
    script,
    start,
    timer,
    user,
)

#: Above this budget (yuan) the plan needs the finance department's approval besides the director's.
COUNTERSIGN_BUDGET = 1_000_000

PROCESS = ProcessSource(
    key="store_opening",
    name="新店开业",
    doc="直营主管提交新店开业方案，运营总监审批；批准后商品、仓储、培训、市场与门店并行筹备，"
        "开业前检视合格后开业，开业满一周提交首周销售报告并做开业总结。",
    lanes=(Lane("store_supervisor", 2), Lane("ops_director", 3), Lane("merchandiser"),
           Lane("warehouse_keeper"), Lane("trainer", 2), Lane("marketing"), Lane("store_manager")),
    nodes=(
        start("start", "提交开业方案", "Submit opening plan", "store_supervisor", 0),
        script("init_plan", "准备审批", "Prepare approval", "store_supervisor", 1, code="""
revision_note = ""
director_comment = ""
"""),
        gateway("xor", "approval_merge", "", "", "ops_director", 2),
        gateway("xor", "budget_check", "预算超过100万？", "Budget above 1,000,000?", "ops_director", 3),
        user("plan_countersign", "开业方案会签", "Countersign opening plan", "ops_director", 4, 2, due=48,
             multi=approval("all", "plan_countersigners", "plan_countersign_decisions",
                            decision="countersign_approved", role="ops_director, finance"),
             # a revised plan comes back here: the decisions of the round before are dropped
             pre_script="plan_countersign_decisions = []",
             post_script="approved = all(plan_countersign_decisions)\n"
                         "if not approved:\n"
                         "    director_comment = \"会签未通过：各审批人的意见见审批记录\"",
             doc="预算超过100万元的开业方案由运营总监与财务会签：每位审批人各自审批，全部批准方可开业，"
                 "任何一人驳回即退回直营主管修改。"),
        user("plan_approval", "开业方案审批", "Approve opening plan", "ops_director", 4, due=48,
             doc="审批新店开业方案（选址、面积、开业日期与预算）；驳回请写明修改意见。"),
        boundary("plan_reminder", "48小时未审批", "Not approved in 48 hours", "plan_approval",
                 duration='"PT48H"', interrupting=False),
        user("approval_reminder", "审批催办", "Approval reminder", "ops_director", 4, 1, due=24, priority=1,
             doc="开业方案已提交超过48小时仍未审批，请尽快处理“开业方案审批”。"),
        end("end_reminder_acknowledged", "催办已阅", "Reminder acknowledged", "ops_director", 4.7, 1),
        gateway("xor", "plan_approved", "批准开业方案？", "Plan approved?", "ops_director", 5),
        user("revise_plan", "修改开业方案", "Revise opening plan", "store_supervisor", 6, 1, due=72,
             doc="按运营总监的意见修改开业方案后重新提交，或撤销本次开业计划。",
             assignee="started_by"),  # back to the supervisor who wrote the plan
        gateway("xor", "revision_choice", "重新提交？", "Resubmit?", "store_supervisor", 7, 1),
        end("end_withdrawn", "撤销开业计划", "Opening withdrawn", "store_supervisor", 8, 1,
            outcome="withdrawn", terminate=True),
        gateway("and", "prepare_fork", "并行筹备", "Prepare in parallel", "ops_director", 6),
        user("first_batch_allocation", "首批货品配置", "First-batch allocation", "merchandiser", 7, due=120,
             doc="按门店面积、定位与客群配置首批货品（款号、数量），交仓库发货。"),
        user("first_batch_shipping", "首批发货", "Ship first batch", "warehouse_keeper", 8, due=72,
             doc="按首批配货单拣货发货，填写物流单号与预计到店日期。"),
        user("staff_training", "新员工培训", "Train new staff", "trainer", 7, due=168,
             doc="完成新店员工的产品、服务与收银培训并考核。"),
        user("display_setup", "陈列布置", "Set up display", "trainer", 7, 1, due=168,
             doc="按品牌陈列标准完成橱窗与店内陈列布置。"),
        user("opening_promotion", "开业推广方案", "Opening promotion plan", "marketing", 7, due=120,
             doc="制定开业推广方案：活动主题、时间、渠道与预算。"),
        user("opening_preparation", "开业筹备确认", "Confirm opening preparation", "store_manager", 7,
             due=168, doc="确认人员到岗、证照、装修与收银系统等开业条件。"),
        gateway("and", "prepare_join", "筹备完成", "Preparation done", "store_supervisor", 9),
        gateway("xor", "inspection_merge", "", "", "store_supervisor", 10),
        user("pre_opening_inspection", "开业前检视", "Pre-opening inspection", "store_supervisor", 11, due=48,
             doc="到店逐项检视开业条件；不合格项请写明，由店长整改后复检。"),
        gateway("xor", "inspection_ok", "检视合格？", "Inspection passed?", "store_supervisor", 12),
        user("remediation", "整改", "Remedy findings", "store_manager", 13, due=72,
             doc="按检视意见整改，完成后提交复检。"),
        timer("wait_first_week", "开业满7天", "Seven days after opening", "store_supervisor", 14,
              date="add_days(planned_opening_date, 7)"),
        user("first_week_report", "首周销售报告", "First-week sales report", "store_manager", 15, due=48,
             doc="填写开业首周的销售额、成交单数、客流与畅销款，总结问题。"),
        user("opening_review", "开业总结", "Opening review", "store_supervisor", 16, due=72,
             doc="结合首周报告与预算做开业总结，提出后续改进措施。"),
        script("mark_store_open", "门店转为营业", "Mark store open", "store_supervisor", 17, code="""
store_status = "open"
"""),
        end("end_opened", "开业完成", "Store opened", "store_supervisor", 18, outcome="opened",
            terminate=True),
    ),
    flows=flows(
        ("start", "init_plan"),
        ("init_plan", "approval_merge"),
        ("approval_merge", "budget_check"),
        ("budget_check", "plan_countersign", "会签", f"budget > {COUNTERSIGN_BUDGET}"),
        default("budget_check", "plan_approval", "总监审批"),
        ("plan_countersign", "plan_approved"),
        ("plan_reminder", "approval_reminder"),
        ("approval_reminder", "end_reminder_acknowledged"),
        ("plan_approval", "plan_approved"),
        ("plan_approved", "prepare_fork", "批准", "approved == True"),
        default("plan_approved", "revise_plan", "驳回"),
        ("revise_plan", "revision_choice"),
        ("revision_choice", "end_withdrawn", "撤销", 'revision_action == "withdraw"'),
        default("revision_choice", "approval_merge", "重新提交"),
        ("prepare_fork", "first_batch_allocation"),
        ("first_batch_allocation", "first_batch_shipping"),
        ("prepare_fork", "staff_training"),
        ("prepare_fork", "display_setup"),
        ("prepare_fork", "opening_promotion"),
        ("prepare_fork", "opening_preparation"),
        ("first_batch_shipping", "prepare_join"),
        ("staff_training", "prepare_join"),
        ("display_setup", "prepare_join"),
        ("opening_promotion", "prepare_join"),
        ("opening_preparation", "prepare_join"),
        ("prepare_join", "inspection_merge"),
        ("inspection_merge", "pre_opening_inspection"),
        ("pre_opening_inspection", "inspection_ok"),
        ("inspection_ok", "wait_first_week", "合格", "all_passed == True"),
        default("inspection_ok", "remediation", "不合格"),
        ("remediation", "inspection_merge"),
        ("wait_first_week", "first_week_report"),
        ("first_week_report", "opening_review"),
        ("opening_review", "mark_store_open"),
        ("mark_store_open", "end_opened"),
    ),
)
