"""The signed-in user read with plain columns and attached to the session as loaded: the same user an
ORM load gives, with the grants a request's checks read and no statement after the one, nothing for the
unit of work to write unless a caller changes something, and a change written as an UPDATE. The roles
stay the relationship: read, they load, and from then on they decide the grants."""
from __future__ import annotations

from sqlalchemy import event, select

from engine.access import Grant, grants_of, role_keys
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


def test_the_token_gives_the_user_with_grants_in_one_statement_and_nothing_to_write(sessions, people, clock):
    with sessions() as session:
        token = issue_token(session, people["manager_sh001"], clock())
        session.commit()
    with sessions() as session:
        stored = sorted((r.role, r.store_code, r.region) for r in session.scalars(
            select(RoleAssignment).join(User).where(User.username == "manager_sh001")))
        session.expunge_all()
        with Statements(session) as sql:
            user = user_for_token(session, token, clock())
            assert user is not None
            held = sorted((g.role, g.store_code, g.region) for g in grants_of(user))
            assert role_keys(user) == {role for role, _, _ in stored}
            assert user.display_name and user.created_at and user.password_hash  # every column is there
        assert len(sql) == 1
        assert held == stored and all(isinstance(g, Grant) for g in grants_of(user))
        assert session.get(User, user.id) is user  # the session's copy: no second object for the same row
        assert not session.dirty and not session.new
        with Statements(session) as sql:
            session.flush()
        assert sql == []
        with Statements(session) as sql:
            roles = list(user.roles)  # the relationship, loaded when read
        assert len(sql) == 1
        assert sorted((r.role, r.store_code, r.region) for r in roles) == stored
        assert {r.user for r in roles} == {user}
        assert all(session.get(RoleAssignment, r.id) is r for r in roles)  # the session's own objects
        user.locale = "en"
        session.commit()
    with sessions() as session:
        assert session.scalar(select(User.locale).where(User.username == "manager_sh001")) == "en"


def _token_of_someone_without_roles(sessions, clock, username: str) -> str:
    with sessions() as session:
        user = insert_user_unchecked(session, username, f"pw-{username}-1", roles=[], now=clock())
        token = issue_token(session, user, clock())
        session.commit()
    return token


def test_a_change_to_the_roles_counts_at_once_in_the_same_session(sessions, clock):
    token = _token_of_someone_without_roles(sessions, clock, "soon")
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None and grants_of(user) == []
        user.roles.append(RoleAssignment(role="cs_agent", store_code="SH001"))
        assert grants_of(user) == [Grant("cs_agent", "SH001", None)]
        assert role_keys(user) == {"cs_agent"}
        user.roles.clear()
        assert grants_of(user) == [] and role_keys(user) == set()


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
    token = _token_of_someone_without_roles(sessions, clock, "later")
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None
        user.roles.append(RoleAssignment(role="cs_agent"))
        session.commit()
    with sessions() as session:
        user = user_for_token(session, token, clock())
        assert user is not None and [r.role for r in user.roles] == ["cs_agent"]
        assert user_for_token(session, "not-a-token", clock()) is None
