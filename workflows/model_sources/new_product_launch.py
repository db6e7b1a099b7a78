"""新品上市: the director approves the launch plan, ordering/receipt, display guideline and
promotion run in parallel, every target store's manager confirms shelving (one parallel instance
per store, each carrying its own `store_code`), and 14 days after launch the analyst judges
sell-through and may ask the merchandiser for a reorder.
"""
from . import Lane, MultiInstance, ProcessSource, default, end, flows, gateway, script, start, timer, user

PROCESS = ProcessSource(
    key="new_product_launch",
    name="新品上市",
    doc="商品专员提交新品上市计划，运营总监审批；订货备货与入库、陈列指引、上市推广并行，"
        "各目标门店店长确认上货陈列，上市满14天后数据分析师做畅滞销分析，需要时返单。",
    lanes=(Lane("merchandiser"), Lane("ops_director", 2), Lane("warehouse_keeper"), Lane("trainer"),
           Lane("marketing"), Lane("store_manager"), Lane("analyst")),
    nodes=(
        start("start", "提交上市计划", "Submit launch plan", "merchandiser", 0),
        user("launch_plan_approval", "上市计划审批", "Approve launch plan", "ops_director", 1, due=48,
             doc="审批新品上市计划（系列、波段、上市日期、目标门店与预测销量）；驳回将结束本次上市计划。"),
        gateway("xor", "plan_ok", "批准上市计划？", "Plan approved?", "ops_director", 2),
        end("end_rejected", "上市计划驳回", "Launch plan rejected", "ops_director", 3, 1, outcome="rejected"),
        gateway("and", "launch_fork", "并行准备", "Prepare in parallel", "ops_director", 4),
        user("order_and_purchase", "订货会与备货下单", "Order meeting and purchase order", "merchandiser", 5,
             due=240, doc="组织订货会确定订货量，向供应商下采购单。"),
        user("goods_receipt", "新品入库", "Receive new goods", "warehouse_keeper", 6, due=72,
             doc="新品到仓后核对采购单验收入库。"),
        user("display_guideline", "陈列指引", "Display guideline", "trainer", 5, due=120,
             doc="制定新品陈列指引（橱窗、主推位、搭配），下发门店。"),
        user("launch_promotion", "上市推广", "Launch promotion", "marketing", 5, due=120,
             doc="制定新品上市推广方案：主题、渠道、开始日期与预算。"),
        gateway("and", "launch_join", "准备完成", "Preparation done", "store_manager", 7),
        user("store_shelving", "门店上货陈列确认", "Confirm shelving and display", "store_manager", 8, due=48,
             multi=MultiInstance("target_stores", "store_code", "shelving_results", "shelving_result"),
             post_script="""
shelving_result = {"store_code": store_code, "shelved_date": shelved_date, "shelved_qty": shelved_qty,
                   "display_compliant": display_compliant}
""".strip("\n"),
             doc="新品到店后按陈列指引上货陈列，确认上架日期、数量与陈列是否达标。"),
        script("summarize_shelving", "汇总门店上货", "Summarize shelving", "analyst", 9, code="""
shelved_total = sum_of(shelving_results, "shelved_qty")
stores_confirmed = len(shelving_results)
stores_display_compliant = len([r for r in shelving_results if r["display_compliant"]])
"""),
        timer("wait_sell_through", "上市满14天", "Fourteen days after launch", "analyst", 10,
              date="add_days(launch_date, 14)"),
        user("sell_through_analysis", "畅滞销分析", "Sell-through analysis", "analyst", 11, due=72,
             doc="分析上市14天的售罄率，列出畅销与滞销款，判断是否需要返单。"),
        gateway("xor", "reorder_decision", "需要返单？", "Reorder needed?", "analyst", 12),
        user("reorder", "返单", "Reorder", "merchandiser", 13, due=48,
             doc="按畅销款分析向供应商返单，填写返单款号与数量。"),
        gateway("xor", "launch_merge", "", "", "analyst", 14),
        end("end_launched", "上市完成", "Launch completed", "analyst", 15, outcome="launched"),
    ),
    flows=flows(
        ("start", "launch_plan_approval"),
        ("launch_plan_approval", "plan_ok"),
        ("plan_ok", "launch_fork", "批准", "approved == True"),
        default("plan_ok", "end_rejected", "驳回"),
        ("launch_fork", "order_and_purchase"),
        ("order_and_purchase", "goods_receipt"),
        ("launch_fork", "display_guideline"),
        ("launch_fork", "launch_promotion"),
        ("goods_receipt", "launch_join"),
        ("display_guideline", "launch_join"),
        ("launch_promotion", "launch_join"),
        ("launch_join", "store_shelving"),
        ("store_shelving", "summarize_shelving"),
        ("summarize_shelving", "wait_sell_through"),
        ("wait_sell_through", "sell_through_analysis"),
        ("sell_through_analysis", "reorder_decision"),
        ("reorder_decision", "reorder", "需要", "reorder_needed == True"),
        default("reorder_decision", "launch_merge", "不需要"),
        ("reorder", "launch_merge"),
        ("launch_merge", "end_launched"),
    ),
)
