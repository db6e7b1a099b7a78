"""店铺巡检: a trainer or store supervisor inspects a store against the checklist (display 陈列,
image 形象, stock 库存, service 服务: each item scored, passed or not, with a note); every failed
item becomes a 整改 task of its own for the store manager, due in seven days (a parallel
multi-instance over the failed items); whoever inspected re-checks the rectified items, and what
still fails goes back to the store, until everything passes.

Started by hand with the checklist (the start form), and by the schedule at each season start (开季:
09:00 on 1 March, June, September and December) for every open store, direct and franchise alike (培训督导
"负责开季的全国店铺的巡店工作"). A scheduled case has no checklist yet: its first step 开季巡检 goes to the
trainers (the role is company-wide, so with several trainers the stores wait in their pool and each
takes the ones on their route); a case started by hand skips it. The re-check goes to whoever
inspected: the person who started the case, or who completed 开季巡检.
"""
from . import Lane, MultiInstance, ProcessSource, default, end, flows, gateway, script, timer_start, user

#: Days the store has to rectify a failed item; the 整改 task is due then.
RECTIFY_DAYS = 7
#: Days the trainers have to inspect every store after a season starts.
INSPECT_DAYS = 14
#: 开季: the first day of each season, a morning in Shanghai.
SEASON_STARTS = "R/2026-03-01T09:00:00+08:00/P3M"

PROCESS = ProcessSource(
    key="store_inspection",
    name="店铺巡检",
    doc="培训督导或直营主管按陈列、形象、库存、服务检查表巡检门店，逐项评分；每季开季（3、6、9、12月1日）按计划为每家"
        "营业门店发起开季巡检，由培训督导填写检查表；不合格项逐项生成整改任务，由店长限期整改，巡检人复检，直至全部合格。",
    lanes=(Lane("store_supervisor", 2), Lane("trainer"), Lane("store_manager")),
    nodes=(
        timer_start("start", "提交巡检记录", "Submit inspection", "store_supervisor", 0, cycle=SEASON_STARTS,
                    start_for=(("startFor", "stores"), ("storeStatus", "open"))),
        gateway("xor", "checklist_given", "已有检查表？", "Checklist given?", "store_supervisor", 1),
        user("inspect", "开季巡检", "Season inspection", "trainer", 2, due=INSPECT_DAYS * 24,
             post_script='inspected_by = completed_by["inspect"]',
             doc="到店按检查表逐项评分并判定是否合格；不合格项写明问题，将逐项交店长整改。"),
        gateway("xor", "inspected", "", "", "store_supervisor", 3),
        script("score_inspection", "汇总巡检结果", "Summarize inspection", "store_supervisor", 4, code="""
item_count = len(checklist)
average_score = round(sum_of(checklist, "score") / item_count, 1)
failed_items = [{"area": line["area"], "item": line["item"], "score": line["score"],
                 "finding": line.get("note") or ""} for line in checklist if not line["passed"]]
first_failed_count = len(failed_items)
rectify_round = 0
if started_by != "system":
    inspected_by = started_by
"""),
        gateway("xor", "findings_merge", "", "", "store_supervisor", 5),
        gateway("xor", "all_passed_check", "全部合格？", "All items passed?", "store_supervisor", 6),
        end("end_passed", "巡检合格", "Inspection passed", "store_supervisor", 7, outcome="completed"),
        script("prepare_rectification", "生成整改任务", "Prepare rectification", "store_supervisor", 7, 1,
               code=f"""
rectifications = []
rectify_round = rectify_round + 1
rectify_by = add_days(now(), {RECTIFY_DAYS})[:10]
"""),
        user("rectify", "整改", "Rectify finding", "store_manager", 8, due=RECTIFY_DAYS * 24,
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
        script("prepare_recheck", "生成复检单", "Prepare re-check", "store_supervisor", 9, 1, code="""
recheck_items = [{"area": r["area"], "item": r["item"], "score": r["score"], "finding": r["finding"],
                  "rectification_note": r["rectification_note"], "rectified_date": r["rectified_date"],
                  "passed": True, "recheck_note": ""} for r in rectifications]
"""),
        user("recheck", "复检", "Re-check", "store_supervisor", 10, 1, due=72, assignee="inspected_by",
             doc="逐项复检门店的整改结果；仍不合格的项目写明原因，将再次交门店整改。"),
        script("collect_recheck", "汇总复检结果", "Collect re-check", "store_supervisor", 11, 1, code="""
failed_items = [{"area": r["area"], "item": r["item"], "score": r["score"],
                 "finding": r["recheck_note"] or r["finding"]} for r in recheck_items if not r["passed"]]
"""),
    ),
    flows=flows(
        ("start", "checklist_given"),
        ("checklist_given", "inspect", "开季巡检", 'started_by == "system"'),
        default("checklist_given", "inspected", "随表提交"),
        ("inspect", "inspected"),
        ("inspected", "score_inspection"),
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
