"""The signed-in user read with plain columns and attached to the session as loaded: the same user and
roles an ORM load gives, no statement for the roles afterwards, nothing for the unit of work to write
unless a caller changes something, and a change written as an UPDATE."""
from __future__ import annotations

from sqlalchemy import event, select

from engine.directory.accounts import insert_user_unchecked, issue_token, user_for_token
from engine.models import RoleAssignment, User


class Statements:
    def __init__(self, session) -> None:
        self.sql: list[str] = []
        self.sql_engine = session.get_bind()

    def __enter__(self) -> list[str]:
        event.listen(self.sql_engine, "before_cursor_execute", self._seen)
        return self.sql

    def __exit__(self, *_) -> None:
        event.remove(self.sql_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_) -> None:
        self.sql.append(statement)


def test_the_token_gives_the_user_with_roles_in_one_statement_and_nothing_to_write(sessions, people, clock):
    with sessions() as session:
        token = issue_token(session, people["manager_sh001"], clock())
        session.commit()
    with sessions() as session:
        with Statements(session) as sql:
            user = user_for_token(session, token, clock())
            assert user is not None
            held = sorted((r.role, r.store_code, r.region) for r in user.roles)
            assert {r.user for r in user.roles} == {user}
            assert user.display_name and user.created_at and user.password_hash  # every column is there
        assert len(sql) == 1
        assert held == sorted((r.role, r.store_code, r.region) for r in session.scalars(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id)))
        assert session.get(User, user.id) is user  # the session's copy: no second object for the same row
        assert all(session.get(RoleAssignment, r.id) is r for r in user.roles)  # the roles are too
        assert not session.dirty and not session.new
        with Statements(session) as sql:
            session.flush()
        assert sql == []
        user.locale = "en"
        session.commit()
    with sessions() as session:
        assert session.scalar(select(User.locale).where(User.username == "manager_sh001")) == "en"
        assert session.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == user.id)) is not None


def test_a_user_without_roles_and_one_the_session_already_holds(sessions, clock):
    with sessions() as session:
        nobody = insert_user_unchecked(session, "nobody", "pw-nobody-1", roles=[], now=clock())
        token = issue_token(session, nobody, clock())
        session.commit()
        held = session.get(User, nobody.id)
        assert user_for_token(session, token, clock()) is held  # the session's own object stands
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None and user.username == "nobody" and user.roles == []


def test_roles_given_later_are_seen_by_the_next_request(sessions, clock):
    with sessions() as session:
        later = insert_user_unchecked(session, "later", "pw-later-1", roles=[], now=clock())
        token = issue_token(session, later, clock())
        session.commit()
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None
        user.roles.append(RoleAssignment(role="cs_agent"))
        session.commit()
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None and [r.role for r in user.roles] == ["cs_agent"]
        assert user_for_token(session, "not-a-token", clock()) is None
