"""A fresh development database opens on work in progress: the store managers have 待办 and the bell
rings with real notifications (demo mode only, DEMO_CASES)."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.models import Notification, OutboxMessage, ProcessInstance, User
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db

from .conftest import AuthActions


def test_a_fresh_demo_database_has_cases_in_progress_and_a_ringing_bell(tmp_path, app_clock):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, DEMO_CASES=True)
    prepare(app)
    prepare(app)  # a second start adds nothing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 10
        told = {(u, k) for u, k in db.session.execute(
            select(User.username, Notification.kind).join(User, User.id == Notification.recipient_id))}
        assert {("manager_sh001", "urged"), ("director", "cc")} <= told
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) > 0
    client = app.test_client()
    AuthActions(client).login("manager_sh001")
    assert "顾客今天下午再来电" in client.get("/inbox").get_data(as_text=True)
    AuthActions(client).logout()
    AuthActions(client).login("manager_sh002")  # the sending store ships: a step of the called 发货
    assert "门店拣货发货" in client.get("/tasks").get_data(as_text=True)
    AuthActions(client).logout()
    AuthActions(client).login("trainer_sun")  # the season under way: HZ001 waits for its inspection
    assert "开季巡检" in client.get("/tasks").get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_no_demo_cases_outside_development(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
