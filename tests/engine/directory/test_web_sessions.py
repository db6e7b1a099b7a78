"""Browser sessions on the server: ending one ends it for every copy of its cookie; a password reset or a
deactivation ends every session of that person, API tokens included, and nobody else's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.directory import people as directory
from engine.directory.accounts import RoleSpec, insert_user_unchecked, issue_token, user_for_token
from engine.directory.web_sessions import end_web_session, open_web_session, user_for_web_session
from engine.models import WebSession

WEEK = timedelta(days=7)


@pytest.fixture
def admin(session, people, clock):
    user = insert_user_unchecked(session, "root", "secret-root", roles=[RoleSpec("admin")], now=clock())
    session.commit()
    return user


def signed_in(session, clock, user) -> tuple[str, str, str]:
    """Two browsers and an API token of `user`."""
    return open_web_session(session, user, clock(), WEEK), open_web_session(session, user, clock(), WEEK), \
        issue_token(session, user, clock())


def test_a_session_names_its_user_until_it_ends(session, people, clock):
    li = people["cs_li"]
    phone, desk, _ = signed_in(session, clock, li)
    assert user_for_web_session(session, li.id, phone, clock()) == li
    assert user_for_web_session(session, people["director"].id, phone, clock()) is None  # not another's id
    assert user_for_web_session(session, li.id, "made-up", clock()) is None
    end_web_session(session, phone)
    assert user_for_web_session(session, li.id, phone, clock()) is None
    assert user_for_web_session(session, li.id, desk, clock()) == li  # logging out ends this browser only


def test_a_session_expires_and_expired_ones_are_dropped_at_the_next_login(session, people, clock):
    li = people["cs_li"]
    token = open_web_session(session, li, clock(), WEEK)
    clock.advance(days=7, seconds=-1)
    assert user_for_web_session(session, li.id, token, clock()) == li
    clock.advance(seconds=1)
    assert user_for_web_session(session, li.id, token, clock()) is None
    open_web_session(session, people["director"], clock(), WEEK)
    assert session.scalars(select(WebSession.user_id)).all() == [people["director"].id]


@pytest.mark.parametrize("end", [
    lambda s, admin, user, clock: directory.reset_password(s, admin, user.id, "a-new-password", clock()),
    lambda s, admin, user, clock: directory.reset_password_at_console(s, user.username, "a-new-password",
                                                                      clock()),
    lambda s, admin, user, clock: directory.set_active(s, admin, user.id, False, clock()),
], ids=["reset by an admin", "set-password at the console", "deactivation"])
def test_a_password_reset_or_a_deactivation_ends_every_session_of_that_user_only(session, people, clock,
                                                                                admin, end):
    li, director = people["cs_li"], people["director"]
    phone, desk, api = signed_in(session, clock, li)
    other = signed_in(session, clock, director)
    session.commit()
    end(session, admin, li, clock)
    session.commit()
    directory.set_active(session, admin, li.id, True, clock())  # reactivating brings no old session back
    assert [user_for_web_session(session, li.id, t, clock()) for t in (phone, desk)] == [None, None]
    assert user_for_token(session, api, clock()) is None
    assert [user_for_web_session(session, director.id, t, clock()) for t in other[:2]] == [director, director]
    assert user_for_token(session, other[2], clock()) == director
