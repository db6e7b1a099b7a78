"""Scheduled starts on the admin pages and the API, on the shipped monthly stocktake: the list (rule in
words, next run in the business time zone), pause and resume (administrators only, audited), and the
background runner's job starting a period's cases."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, ProcessInstance, Schedule
from webapp.background import background_runner
from webapp.extensions import db

from .conftest import csrf_token

DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)  # 02:00 on 1 December, Beijing time


@pytest.fixture
def schedule_id(app) -> int:
    """The shipped monthly stocktake's schedule: every open store and the warehouse, monthly."""
    with app.app_context():
        wanted = select(Schedule.id).where(Schedule.process_key == "monthly_stocktake")
        return db.session.scalars(wanted).one()


def test_the_list_shows_the_rule_in_words_and_the_next_run(client, auth, schedule_id):
    auth.login("admin")
    html = client.get("/admin/schedules").get_data(as_text=True)
    assert f'id="schedule-{schedule_id}"' in html and 'data-paused="0"' in html
    assert ("Monthly on day 1 at 02:00" in html) or ("每月 1 日 02:00" in html)
    assert 'datetime="2026-11-30T18:00:00+00:00"' in html and "Asia/Shanghai" in html
    assert "schedule-pause" in html
    assert 'href="/admin/schedules"' in client.get("/admin/").get_data(as_text=True)


def test_pause_and_resume_from_the_page(app, client, auth, schedule_id):
    auth.login("admin")
    token = csrf_token(client, "/admin/schedules")
    response = client.post(f"/admin/schedules/{schedule_id}/pause", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/schedules")
    html = client.get("/admin/schedules").get_data(as_text=True)
    assert 'data-paused="1"' in html and "schedule-resume" in html
    again = client.post(f"/admin/schedules/{schedule_id}/pause", data={"csrf_token": token},
                        follow_redirects=True)
    assert again.status_code == 200 and 'data-paused="1"' in again.get_data(as_text=True)
    client.post(f"/admin/schedules/{schedule_id}/resume", data={"csrf_token": token})
    assert 'data-paused="0"' in client.get("/admin/schedules").get_data(as_text=True)
    with app.app_context():
        kinds = db.session.scalars(select(AuditEvent.event_type).where(
            AuditEvent.event_type.like("schedule_%")).order_by(AuditEvent.id)).all()
    assert kinds == ["schedule_paused", "schedule_resumed"]
    latest = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'data-kind="schedule_resumed"', latest)


def test_the_page_is_for_administrators(client, auth, schedule_id):
    auth.login("supervisor_east")
    assert client.get("/admin/schedules").status_code == 403
    token = csrf_token(client, "/tasks")
    assert client.post(f"/admin/schedules/{schedule_id}/pause", data={"csrf_token": token}).status_code == 403


def test_the_api_lists_pauses_and_resumes(api, schedule_id):
    admin = api.as_("admin")
    items = admin.get("/admin/schedules").get_json()["items"]
    assert [(s["id"], s["process_key"], s["kind"], s["paused"], s["next_run"]) for s in items][0] == (
        schedule_id, "monthly_stocktake", "cycle", False, "2026-11-30T18:00:00+00:00")
    assert [(s["process_key"], s["next_run"]) for s in items[1:]] == [
        ("store_inspection", "2026-12-01T01:00:00+00:00")]  # 开季: 09:00 on 1 December in Shanghai
    assert items[0]["start_for"] == {"for": "stores", "status": "open", "plus_one": True}
    assert items[0]["every"] == {"kind": "cycle", "cycles": -1, "start": "2026-01-01T02:00:00+08:00",
                                 "every": {"months": 1}}
    paused = admin.post(f"/admin/schedules/{schedule_id}/pause")
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert admin.post(f"/admin/schedules/{schedule_id}/pause").status_code == 409
    assert admin.post("/admin/schedules/999/pause").status_code == 404
    resumed = admin.post(f"/admin/schedules/{schedule_id}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["paused"] is False
    assert admin.post(f"/admin/schedules/{schedule_id}/resume").status_code == 409
    other = api.as_("supervisor_east")
    assert other.get("/admin/schedules").status_code == 403
    assert other.post(f"/admin/schedules/{schedule_id}/pause").status_code == 403


def test_the_background_runner_starts_the_period_once(app, app_clock, schedule_id):
    app_clock.set(DEC_1)
    runner = background_runner(app)
    assert runner.run_once()["schedules"] == 6  # the 5 open stores and the warehouse
    assert runner.run_once()["schedules"] == 0
    with app.app_context():
        stores = db.session.scalars(select(ProcessInstance.store_code).where(
            ProcessInstance.process_key == "monthly_stocktake").order_by(ProcessInstance.id)).all()
    assert stores == ["HZ001", "NJ01", "NJ02", "SH001", "SH002", None]
