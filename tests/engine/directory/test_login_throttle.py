"""The login throttle: backoff per account, a high ceiling per address, and nobody locked out by
someone else's failures from elsewhere; all of it in the database (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.directory.login_throttle import (
    LoginOutcome,
    ThrottleRules,
    record_failure,
    record_success,
    seconds_to_wait,
    try_login,
)
from engine.models import LoginAttempt

RULES = ThrottleRules()  # 5 failures, then 1 min doubling up to 1 h; 100 per address per hour
HOME, ELSEWHERE, THIRD = "10.1.0.7", "203.0.113.66", "198.51.100.9"
PASSWORD = "x" * 8  # the cast's password (tests/engine/conftest.py)


def fail(session, clock, username: str, address: str, times: int = 1, rules: ThrottleRules = RULES) -> None:
    for _ in range(times):
        record_failure(session, rules, username, address, clock())


def wait(session, clock, username: str, address: str, rules: ThrottleRules = RULES) -> int:
    return seconds_to_wait(session, rules, username, address, clock())


def rows(session, **where) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return session.scalar(query)


def test_an_account_is_locked_after_five_failures_and_each_further_failure_doubles_the_lock(session, clock):
    fail(session, clock, "cs_li", ELSEWHERE, 4)
    assert wait(session, clock, "cs_li", ELSEWHERE) == 0
    fail(session, clock, "cs_li", ELSEWHERE)
    assert wait(session, clock, "cs_li", ELSEWHERE) == 60
    assert wait(session, clock, "cs_li", THIRD) == 60  # the account is held, wherever the next guess is from
    assert wait(session, clock, "cs_wang", ELSEWHERE) == 0  # another account from the same address is not
    locks = []
    for _ in range(8):
        clock.advance(seconds=wait(session, clock, "cs_li", ELSEWHERE))
        assert wait(session, clock, "cs_li", ELSEWHERE) == 0
        fail(session, clock, "cs_li", ELSEWHERE)
        locks.append(wait(session, clock, "cs_li", ELSEWHERE))
    assert locks == [120, 240, 480, 960, 1920, 3600, 3600, 3600]
    clock.advance(seconds=3599)
    assert wait(session, clock, "cs_li", ELSEWHERE) == 1


def test_a_held_back_attempt_is_not_tried_and_not_counted(session, people, clock):
    fail(session, clock, "cs_li", ELSEWHERE, 5)
    outcome = try_login(session, RULES, "cs_li", PASSWORD, ELSEWHERE, clock())
    assert outcome == LoginOutcome(None, 60)
    assert rows(session) == 5
    clock.advance(minutes=1)
    assert try_login(session, RULES, "cs_li", PASSWORD, ELSEWHERE, clock()).user == people["cs_li"]


def test_someone_elses_failures_do_not_lock_out_an_address_the_account_logged_in_from(session, people, clock):
    assert try_login(session, RULES, "cs_li", PASSWORD, HOME, clock()).user == people["cs_li"]
    clock.advance(hours=2)
    fail(session, clock, "cs_li", ELSEWHERE, 5)
    for _ in range(10):  # the guesser keeps going as each lock ends
        clock.advance(seconds=wait(session, clock, "cs_li", ELSEWHERE))
        assert try_login(session, RULES, "cs_li", "guess", ELSEWHERE, clock()).user is None
    assert wait(session, clock, "cs_li", ELSEWHERE) == 3600
    assert wait(session, clock, "cs_li", THIRD) == 3600  # a new address is held by every failure
    assert try_login(session, RULES, "cs_li", PASSWORD, HOME, clock()) == LoginOutcome(people["cs_li"])


def test_a_trusted_address_is_still_held_by_its_own_failures(session, people, clock):
    record_success(session, RULES, "cs_li", HOME, clock())
    fail(session, clock, "cs_li", HOME, 5)
    assert wait(session, clock, "cs_li", HOME) == 60


def test_a_correct_password_forgives_the_failures_of_its_own_address_only(session, people, clock):
    fail(session, clock, "cs_li", HOME, 3)
    fail(session, clock, "cs_li", ELSEWHERE, 1)
    assert try_login(session, RULES, "cs_li", PASSWORD, HOME, clock()).user == people["cs_li"]
    assert rows(session, succeeded=False) == 1 and rows(session, succeeded=True, address=HOME) == 1
    fail(session, clock, "cs_li", ELSEWHERE, 3)
    assert wait(session, clock, "cs_li", ELSEWHERE) == 0  # 4 failures: the 3 typos from HOME are gone
    fail(session, clock, "cs_li", ELSEWHERE)
    assert wait(session, clock, "cs_li", ELSEWHERE) == 60


def test_an_address_is_refused_after_many_failures_on_any_accounts(session, clock):
    rules = ThrottleRules(address_attempts=10, address_window=timedelta(minutes=10))
    record_success(session, rules, "cs_li", ELSEWHERE, clock())
    for n in range(10):  # password spraying: one guess per account, one every 10 seconds
        fail(session, clock, f"user{n}", ELSEWHERE, rules=rules)
        clock.advance(seconds=10)
    assert wait(session, clock, "someone", ELSEWHERE, rules) == 500  # the first ages out 600 s after it
    assert wait(session, clock, "someone", THIRD, rules) == 0  # other addresses are not affected
    assert wait(session, clock, "cs_li", ELSEWHERE, rules) == 0  # nor who logged in from there before
    fail(session, clock, "user10", ELSEWHERE, rules=rules)  # 11 failures: the first two must age out
    assert wait(session, clock, "someone", ELSEWHERE, rules) == 600 + 10 - 100
    clock.advance(seconds=509)
    assert wait(session, clock, "someone", ELSEWHERE, rules) == 1
    clock.advance(seconds=1)
    assert wait(session, clock, "someone", ELSEWHERE, rules) == 0


def test_names_ignore_case_and_unknown_names_are_held_like_real_ones(session, clock):
    fail(session, clock, "CS_Li ", ELSEWHERE, 5)
    assert wait(session, clock, "cs_li", THIRD) == 60
    fail(session, clock, "nobody", ELSEWHERE, 5)
    assert wait(session, clock, "nobody", THIRD) == 60


def test_an_overlong_name_or_address_is_cut_not_refused(session, clock):
    fail(session, clock, "n" * 500, "a" * 500, 5)
    assert wait(session, clock, "n" * 64 + "tail", THIRD) == 60
    assert {len(n) for n in session.scalars(select(LoginAttempt.username))} == {64}


def test_old_failures_and_old_trust_are_forgotten_and_pruned(session, clock):
    record_success(session, RULES, "cs_li", HOME, clock())
    fail(session, clock, "cs_wang", ELSEWHERE, 5)
    clock.advance(days=1)
    assert wait(session, clock, "cs_wang", ELSEWHERE) == 0
    fail(session, clock, "cs_wang", ELSEWHERE)
    assert rows(session, username="cs_wang") == 1
    clock.advance(days=30)
    fail(session, clock, "cs_li", ELSEWHERE, 5)
    assert rows(session, succeeded=True) == 0
    assert wait(session, clock, "cs_li", HOME) == 60  # no longer trusted: every failure counts
