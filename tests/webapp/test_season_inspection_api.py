"""A season's store inspection through the JSON API as the demo users, on SQLite and PostgreSQL: the
background runner starts one case per open store at 09:00 on 1 December (开季); 孙督导 (trainer_sun)
fills SH001's checklist with an item below standard, 张店长 rectifies it, 孙督导 re-checks it and the
case closes. Nobody else is offered a step, and a step done by anyone else is refused."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.webapp.conftest import Api
from webapp.background import background_runner

SEASON_START = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 on 1 December in Shanghai
CHECKLIST = [{"area": "display", "item": "橱窗按冬季陈列指引布置", "score": 58, "passed": False,
              "note": "橱窗仍为秋季陈列"},
             {"area": "image", "item": "店员着装与仪容", "score": 90, "passed": True},
             {"area": "service", "item": "迎宾与试衣服务", "score": 88, "passed": True}]
OTHERS = ("supervisor_east", "manager_sh002", "franchisee_nj01", "merch_zhao", "director", "cs_li")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request, app_clock):
    app = request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")
    return app, Api(app.test_client()), app_clock


def _steps(api: Api, username: str, case_id: int) -> list[tuple[int, str]]:
    """The case's steps in the person's task list (theirs and the pool's they may take)."""
    listed = api.as_(username).get("/tasks?scope=all&process=store_inspection&per_page=100")
    items = listed.get_json()["items"]
    return [(t["id"], t["element_id"]) for t in items if t["instance_id"] == case_id]


def _nobody_else(api: Api, case_id: int, task_id: int, *others: str) -> None:
    for username in others:
        assert _steps(api, username, case_id) == [], username
        refused = api.as_(username).post(f"/tasks/{task_id}/complete", json={"data": {}})
        assert refused.status_code in (403, 404), (username, refused.status_code)


def test_a_season_inspection_from_the_schedule_to_the_recheck(site):
    app, api, clock = site
    clock.set(SEASON_START)
    assert background_runner(app).run_once()["schedules"] == 5 + 6  # and December's stocktake counts
    trainer = api.as_("trainer_sun")
    listed = trainer.get("/tasks?process=store_inspection&per_page=100").get_json()["items"]
    assert sorted((t["store_code"], t["element_id"]) for t in listed) == [
        ("HZ001", "inspect"), ("NJ01", "inspect"), ("NJ02", "inspect"), ("SH001", "inspect"),
        ("SH002", "inspect")]
    [inspect] = [t for t in listed if t["store_code"] == "SH001"]
    case_id = inspect["instance_id"]
    case = trainer.get(f"/process-instances/{case_id}").get_json()
    assert (case["title"], case["started_by"]) == ("SH001店铺巡检 · 2026-12-01", None)  # by the schedule
    detail = trainer.get(f"/tasks/{inspect['id']}").get_json()
    assert detail["may_act"] and detail["case"]["scheduled_period"] == "2026-12-01T09:00:00+08:00"
    _nobody_else(api, case_id, inspect["id"], *OTHERS, "manager_sh001")

    early = trainer.post(f"/tasks/{inspect['id']}/complete", json={"data": {
        "inspection_date": "2026-11-28", "checklist": CHECKLIST}})  # before the season started
    assert early.status_code == 422 and "inspection_date" in early.get_json()["fields"]
    done = trainer.post(f"/tasks/{inspect['id']}/complete", json={"data": {
        "store_code": "SH002", "inspection_date": "2026-12-01", "checklist": CHECKLIST,
        "inspection_summary": "橱窗需按冬季指引更换"}})
    assert done.status_code == 200, done.get_json()
    [rectify] = done.get_json()["open_tasks"]
    assert (rectify["element_id"], rectify["store_code"]) == ("rectify", "SH001")  # the case's store stays

    manager = api.as_("manager_sh001")
    assert _steps(api, "manager_sh001", case_id) == [(rectify["id"], "rectify")]
    _nobody_else(api, case_id, rectify["id"], *OTHERS, "trainer_sun")
    shown = manager.get(f"/tasks/{rectify['id']}").get_json()["case"]
    assert (shown["finding_item"], shown["finding_note"], shown["rectify_by"]) == (
        "橱窗按冬季陈列指引布置", "橱窗仍为秋季陈列", "2026-12-08")
    done = manager.post(f"/tasks/{rectify['id']}/complete", json={"data": {
        "rectification_note": "已按冬季陈列指引更换橱窗", "rectified_date": "2026-12-02"}})
    assert done.status_code == 200, done.get_json()
    [recheck] = done.get_json()["open_tasks"]
    assert (recheck["element_id"], recheck["assignee"]) == ("recheck", "trainer_sun")  # who inspected

    assert _steps(api, "trainer_sun", case_id) == [(recheck["id"], "recheck")]
    _nobody_else(api, case_id, recheck["id"], *OTHERS, "manager_sh001")
    rows = trainer.get(f"/tasks/{recheck['id']}").get_json()["case"]["recheck_items"]
    assert [r["rectification_note"] for r in rows] == ["已按冬季陈列指引更换橱窗"]
    done = trainer.post(f"/tasks/{recheck['id']}/complete", json={"data": {
        "recheck_items": [{**r, "passed": True, "recheck_note": "已整改到位"} for r in rows],
        "recheck_date": "2026-12-03"}})
    assert done.status_code == 200, done.get_json()
    closed = trainer.get(f"/process-instances/{case_id}").get_json()
    assert (closed["status"], closed["outcome"], closed["data"]["inspected_by"]) == (
        "completed", "completed", "trainer_sun")
