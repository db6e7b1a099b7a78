"""A daily hand-off walked through /api/v1 as the demo users: each step is offered (in 待办) to the
people who hold it and completed by one of them; the others named are refused (403 when they may see
the case, 404 when it is outside their scope) and do not find it in their 待办. A module that imports
`app` from here runs its walks on SQLite and on PostgreSQL."""
from __future__ import annotations

import io
from typing import Any

import pytest

from webapp import create_app
from webapp.bootstrap import prepare

from .test_attachments import PNG


@pytest.fixture(params=["sqlite", "postgres"])
def app(request, tmp_path, app_clock):  # type: ignore[no-untyped-def]
    """tests/webapp/conftest.py's `app` on SQLite, and its `postgres_app`."""
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_app")
        return
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, WTF_CSRF_ENABLED=True)
    prepare(app)
    yield app
    from webapp.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Handoff:
    def __init__(self, api: Any) -> None:
        self.api = api

    def start(self, user: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
        response = self.api.as_(user).post(f"/processes/{key}/instances", json={"data": data})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def receipt(self, user: str) -> str:
        """The id of a photo `user` uploads through the API, for a form's file field."""
        response = self.api.as_(user).post("/attachments", content_type="multipart/form-data",
                                           data={"file": (io.BytesIO(PNG), "发票.png")})
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def todo(self, user: str) -> list[int]:
        response = self.api.as_(user).get("/tasks?per_page=100")
        assert response.status_code == 200, response.get_json()
        return [t["id"] for t in response.get_json()["items"]]

    @staticmethod
    def step(case: dict[str, Any], element: str) -> dict[str, Any]:
        """The case's one open step, which must be `element`."""
        assert [t["element_id"] for t in case["open_tasks"]] == [element], case["open_tasks"]
        return case["open_tasks"][0]

    def detail(self, user: str, task: dict[str, Any]) -> dict[str, Any]:
        response = self.api.as_(user).get(f"/tasks/{task['id']}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def offered(self, task: dict[str, Any], holders: tuple[str, ...], data: dict[str, Any],
                **refused: int) -> None:
        """`holders` find the task in 待办; each of `refused` (username=status) neither finds it there
        nor completes it: the task stays open (a holder completes it next)."""
        for holder in holders:
            assert task["id"] in self.todo(holder), holder
        for user, status in refused.items():
            assert task["id"] not in self.todo(user), user
            response = self.api.as_(user).post(f"/tasks/{task['id']}/complete", json={"data": data})
            assert response.status_code == status, (user, response.get_json())
            if status == 404:
                assert self.api.as_(user).get(f"/tasks/{task['id']}").status_code == 404, user

    def complete(self, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        response = self.api.as_(user).post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def case(self, user: str, case_id: int) -> dict[str, Any]:
        response = self.api.as_(user).get(f"/process-instances/{case_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()
