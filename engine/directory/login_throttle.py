"""Slowing down password guessing (OWASP's rules), in the database so that every server process shares it.

Three rules, checked before the password is, so that a refused attempt costs no scrypt and tells
nothing about the password:

- **Per account, with backoff.** After `account_attempts` failures of an account it is locked for
  `first_lock`, and every further failure doubles the lock up to `longest_lock`: a person who
  mistyped waits a minute, a guesser gets a few dozen tries a day.
- **Per address, with a much higher ceiling.** `address_attempts` failures from one address within
  `address_window`, whatever the accounts (password spraying), refuse that address until they age
  out. The ceiling is high because a store, an office or a mobile carrier puts many people behind
  one address.
- **Nobody is locked out by someone else's failures from elsewhere.** From an address where the
  account logged in successfully within `trust`, only the failures from that address count against
  the account, and the address ceiling does not apply. Everyone else (a new phone, a guesser) is held
  by the account's failures from everywhere. This is OWASP's "device cookie" rule keyed by the
  address, which the web login and the API's token login both have; two people sharing one address
  also share its lock, which is why the locks are short and grow instead of long and fixed.

A correct password forgives the failures of its own address; failures are forgotten after `memory`
and trust after `trust`, pruned whenever an attempt is recorded. Names are compared in lower case
and unknown names are throttled exactly like real ones, so the lock tells nobody which names exist.
Two processes checking at the same moment may each let one more guess through; that bound is
accepted rather than serialising logins on a row lock.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from engine.models import LoginAttempt, User

from .accounts import authenticate

_KEY_LENGTH = 64  # the columns' length; a longer name or address is cut, never refused
_FAILED, _SUCCEEDED = LoginAttempt.succeeded.is_(False), LoginAttempt.succeeded.is_(True)


@dataclass(frozen=True)
class ThrottleRules:
    account_attempts: int = 5
    first_lock: timedelta = timedelta(minutes=1)
    longest_lock: timedelta = timedelta(hours=1)
    address_attempts: int = 100
    address_window: timedelta = timedelta(hours=1)
    memory: timedelta = timedelta(days=1)
    trust: timedelta = timedelta(days=30)

    def lock_after(self, failures: int) -> timedelta:
        """How long an account stays locked after its `failures`-th remembered failure."""
        if failures < self.account_attempts:
            return timedelta(0)
        doublings = min(failures - self.account_attempts, 32)  # 2**32 minutes outlasts any ceiling
        return min(self.longest_lock, self.first_lock * 2 ** doublings)


@dataclass(frozen=True)
class LoginOutcome:
    """The user when the password was right; `retry_after` seconds when the attempt was not even tried."""

    user: User | None
    retry_after: int = 0


def _keys(username: str, address: str) -> tuple[str, str]:
    return (username or "").strip().lower()[:_KEY_LENGTH], (address or "")[:_KEY_LENGTH]


def _trusted(session: Session, rules: ThrottleRules, account: str, address: str, now: datetime) -> bool:
    return session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == account, LoginAttempt.address == address, _SUCCEEDED,
        LoginAttempt.at > now - rules.trust).limit(1)) is not None


def _account_wait(session: Session, rules: ThrottleRules, account: str, address: str | None,
                  now: datetime) -> timedelta:
    query = select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.username == account, _FAILED, LoginAttempt.at > now - rules.memory)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    count, last = session.execute(query).one()
    if not count or count < rules.account_attempts:
        return timedelta(0)
    return last + rules.lock_after(count) - now


def _address_wait(session: Session, rules: ThrottleRules, address: str, now: datetime) -> timedelta:
    recent = (LoginAttempt.address == address, _FAILED, LoginAttempt.at > now - rules.address_window)
    count = session.execute(select(func.count()).where(*recent)).scalar_one()
    if count < rules.address_attempts:
        return timedelta(0)
    # the failure whose ageing out brings the address back under its ceiling
    oldest = session.scalar(select(LoginAttempt.at).where(*recent).order_by(LoginAttempt.at, LoginAttempt.id)
                            .offset(count - rules.address_attempts).limit(1))
    if oldest is None:  # pruned since the count
        return timedelta(0)
    return oldest + rules.address_window - now


def seconds_to_wait(session: Session, rules: ThrottleRules, username: str, address: str,
                    now: datetime) -> int:
    """How long `username` must wait before trying a password from `address`; 0 when it may try now."""
    account, address = _keys(username, address)
    if _trusted(session, rules, account, address, now):
        wait = _account_wait(session, rules, account, address, now)
    else:
        wait = max(_account_wait(session, rules, account, None, now),
                   _address_wait(session, rules, address, now))
    return max(0, math.ceil(wait.total_seconds()))


def _prune(session: Session, rules: ThrottleRules, now: datetime) -> None:
    forgotten = now - max(rules.memory, rules.address_window)
    session.execute(delete(LoginAttempt).where(or_(
        and_(_FAILED, LoginAttempt.at <= forgotten),
        and_(_SUCCEEDED, LoginAttempt.at <= now - rules.trust))))


def record_failure(session: Session, rules: ThrottleRules, username: str, address: str,
                   now: datetime) -> None:
    account, address = _keys(username, address)
    _prune(session, rules, now)
    session.add(LoginAttempt(username=account, address=address, succeeded=False, at=now))
    session.flush()


def record_success(session: Session, rules: ThrottleRules, username: str, address: str,
                   now: datetime) -> None:
    """Forgive this address's failures for the account and trust the address from now on."""
    account, address = _keys(username, address)
    _prune(session, rules, now)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == account,
                                               LoginAttempt.address == address))
    session.add(LoginAttempt(username=account, address=address, succeeded=True, at=now))
    session.flush()


def try_login(session: Session, rules: ThrottleRules, username: str, password: str, address: str,
              now: datetime) -> LoginOutcome:
    """Check the password unless the throttle holds the attempt back, and record how it went.

    Records but never commits: the caller commits a failure even though it answers with a refusal."""
    wait = seconds_to_wait(session, rules, username, address, now)
    if wait:
        return LoginOutcome(None, wait)
    user = authenticate(session, username, password)
    if user is None:
        record_failure(session, rules, username, address, now)
    else:
        record_success(session, rules, username, address, now)
    return LoginOutcome(user)
