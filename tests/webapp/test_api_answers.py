"""A write through the API commits and answers with what the route built before the commit: the
request's loaded objects are not expired at that commit (no read follows it), and the session's own
setting is left as it was for whoever holds the session next."""
from __future__ import annotations

import json

from sqlalchemy import event, select

from engine.models import User


def test_the_answer_is_committed_and_the_loaded_objects_stay_loaded(any_app):
    from webapp.api.answers import committed
    from webapp.extensions import db
    with any_app.test_request_context("/api/v1/me", method="POST"):
        session = db.session()
        user = session.scalar(select(User).where(User.username == "manager_sh001"))
        assert user is not None
        user.locale = "en"
        sent: list[str] = []

        def seen(_conn, _cursor, statement, *_):
            sent.append(statement)
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            response, status, headers = committed({"username": user.username}, 201, {"X-A": "b"})
            assert (user.username, user.locale) == ("manager_sh001", "en")
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert [s.split()[0].upper() for s in sent] == ["UPDATE"]  # the write; nothing read back after it
        assert (json.loads(response.get_data()), status, headers) == ({"username": "manager_sh001"}, 201,
                                                                       {"X-A": "b"})
        assert session.expire_on_commit is True
    with any_app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "manager_sh001")) == "en"


def test_a_failed_commit_leaves_the_sessions_setting_as_it_was(any_app):
    from webapp.api.answers import committed
    from webapp.extensions import db
    with any_app.test_request_context("/api/v1/me", method="POST"):
        session = db.session()
        users = session.scalars(select(User).order_by(User.id).limit(2)).all()
        users[1].username = users[0].username  # unique: the commit fails
        try:
            committed({})
        except Exception as exc:  # noqa: BLE001  (each backend names its integrity error its own way)
            assert "unique" in str(exc).lower() or "duplicate" in str(exc).lower()
        else:
            raise AssertionError("the commit should have failed")
        assert session.expire_on_commit is True
