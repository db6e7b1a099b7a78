"""店铺巡检: a trainer or store supervisor inspects a store against the checklist (display 陈列,
image 形象, stock 库存, service 服务: each item scored, passed or not, with a note); every failed
item becomes a 整改 task of its own for the store manager, due in seven days (a parallel
multi-instance over the failed items); the inspector who started the case re-checks the rectified
items, and what still fails goes back to the store, until everything passes.

Started by hand. A start at every season start for every store is the scheduled start's to add
(issue 14, scheduled starts): a timer start event on this process, one case per open store.
"""
from . import Lane, MultiInstance, ProcessSource, default, end, flows, gateway, script, start, user

#: Days the store has to rectify a failed item; the 整改 task is due then.
RECTIFY_DAYS = 7

PROCESS = ProcessSource(
    key="store_inspection",
    name="店铺巡检",
    doc="培训督导或直营主管按陈列、形象、库存、服务检查表巡检门店，逐项评分；不合格项逐项生成整改任务，"
        "由店长限期整改，巡检人复检，直至全部合格。",
    lanes=(Lane("store_supervisor", 2), Lane("store_manager")),
    nodes=(
        start("start", "提交巡检记录", "Submit inspection", "store_supervisor", 0),
        script("score_inspection", "汇总巡检结果", "Summarize inspection", "store_supervisor", 1, code="""
item_count = len(checklist)
average_score = round(sum_of(checklist, "score") / item_count, 1)
failed_items = [{"area": line["area"], "item": line["item"], "score": line["score"],
                 "finding": line.get("note") or ""} for line in checklist if not line["passed"]]
first_failed_count = len(failed_items)
rectify_round = 0
"""),
        gateway("xor", "findings_merge", "", "", "store_supervisor", 2),
        gateway("xor", "all_passed_check", "全部合格？", "All items passed?", "store_supervisor", 3),
        end("end_passed", "巡检合格", "Inspection passed", "store_supervisor", 4, outcome="completed"),
        script("prepare_rectification", "生成整改任务", "Prepare rectification", "store_supervisor", 4, 1,
               code=f"""
rectifications = []
rectify_round = rectify_round + 1
rectify_by = add_days(now(), {RECTIFY_DAYS})[:10]
"""),
        user("rectify", "整改", "Rectify finding", "store_manager", 5, due=RECTIFY_DAYS * 24,
             multi=MultiInstance("failed_items", "finding", "rectifications", "rectification"),
             pre_script="""
finding_area = finding["area"]
finding_item = finding["item"]
finding_score = finding["score"]
finding_note = finding["finding"]
""".strip("\n"),
             post_script="""
rectification = {"area": finding_area, "item": finding_item, "score": finding_score, "finding": finding_note,
                 "rectification_note": rectification_note, "rectified_date": rectified_date}
""".strip("\n"),
             doc="按巡检发现的不合格项整改（每项一个任务），写明整改措施与完成日期，可上传整改后照片。"),
        script("prepare_recheck", "生成复检单", "Prepare re-check", "store_supervisor", 6, 1, code="""
recheck_items = [{"area": r["area"], "item": r["item"], "score": r["score"], "finding": r["finding"],
                  "rectification_note": r["rectification_note"], "rectified_date": r["rectified_date"],
                  "passed": True, "recheck_note": ""} for r in rectifications]
"""),
        user("recheck", "复检", "Re-check", "store_supervisor", 7, 1, due=72, assignee="started_by",
             doc="逐项复检门店的整改结果；仍不合格的项目写明原因，将再次交门店整改。"),
        script("collect_recheck", "汇总复检结果", "Collect re-check", "store_supervisor", 8, 1, code="""
failed_items = [{"area": r["area"], "item": r["item"], "score": r["score"],
                 "finding": r["recheck_note"] or r["finding"]} for r in recheck_items if not r["passed"]]
"""),
    ),
    flows=flows(
        ("start", "score_inspection"),
        ("score_inspection", "findings_merge"),
        ("findings_merge", "all_passed_check"),
        ("all_passed_check", "end_passed", "全部合格", "len(failed_items) == 0"),
        default("all_passed_check", "prepare_rectification", "有不合格项"),
        ("prepare_rectification", "rectify"),
        ("rectify", "prepare_recheck"),
        ("prepare_recheck", "recheck"),
        ("recheck", "collect_recheck"),
        ("collect_recheck", "findings_merge"),
    ),
)
