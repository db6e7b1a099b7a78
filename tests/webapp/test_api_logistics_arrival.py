"""The demo's logistics system (`logistics`, token `demo-logistics-token`, demo mode only) reports an
arrival through POST /api/v1/messages: the open receipt of a shipped transfer shows it, a bad payload
is refused naming its field, and once received nothing waits for it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import queries
from engine.models import User
from tests.webapp.conftest import AuthActions
from tests.workflows.samples import START, submission
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db, engine
from workflows.demo import DEMO_CLIENTS

TOKEN = {"Authorization": "Bearer demo-logistics-token"}
ARRIVAL = {"arrived_at": "2026-11-04T15:20:00+08:00", "signed_by": "张店长", "carrier": "顺丰速运"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")


def _shipped_transfer(app) -> tuple[int, str, int]:
    """A transfer SH002 → SH001, approved and shipped: the case, its key and the open receipt."""
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        case = engine().start(db.session, "stock_transfer", people["manager_sh001"], START["stock_transfer"])
        for username in ("merch_zhao", "manager_sh002"):
            [task] = case.open_tasks
            data = queries.task_detail(engine(), db.session, people[username], task.id).case
            case = engine().complete(db.session, task.id, people[username],
                                     submission("stock_transfer", task.element_id, data))
        db.session.commit()
        [receipt] = case.open_tasks
        return case.id, case.business_key, receipt.id


def test_the_demo_logistics_client_reports_an_arrival(site):
    client = site.test_client()
    case_id, key, receipt_id = _shipped_transfer(site)
    message = {"name": "logistics_arrival", "correlation": {"logistics_no": "SF1029384756"}}

    bad = client.post("/api/v1/messages", headers=TOKEN, json={**message, "payload": {"signed_by": "张店长"}})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"payload.arrived_at"}

    answer = client.post("/api/v1/messages", headers=TOKEN, json={**message, "payload": ARRIVAL})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"delivered": [{"id": case_id, "business_key": key, "status": "running",
                                                "incident": None}]}
    AuthActions(client).login("manager_sh001")
    page = client.get(f"/tasks/{receipt_id}").get_data(as_text=True)
    assert "2026年11月4日 15:20:00" in page and "张店长" in page  # 到货时间, 签收人

    again = client.post("/api/v1/messages", headers=TOKEN,
                        json={"name": "logistics_arrival", "correlation": {"business_key": key},
                              "payload": ARRIVAL})
    assert again.status_code == 404


def test_the_logistics_client_exists_in_demo_mode_only(app, tmp_path, app_clock):
    assert [c.username for c in DEMO_CLIENTS] == ["logistics"]
    with app.app_context():
        robot = db.session.scalar(select(User).where(User.username == "logistics"))
        assert ([r.role for r in robot.roles], robot.display_name) == (["integration"], "物流系统")
    assert app.test_client().post("/api/v1/login", json={"username": "logistics", "password": "demo123"}
                                  ).status_code == 401  # no password: the token only

    plain = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'plain.sqlite'}",
                       UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, DEMO_DATA=False)
    prepare(plain)
    with plain.app_context():
        assert db.session.scalar(select(User).where(User.username == "logistics")) is None
        db.session.remove()
        db.engine.dispose()
    message = {"name": "logistics_arrival", "correlation": {"business_key": "x"}}
    answer = plain.test_client().post("/api/v1/messages", headers=TOKEN, json=message)
    assert answer.status_code == 401
