"""Administrators keep the group robots: add, change, deactivate, delete, send a test message; and
the operations center's robot set from the environment at startup (`OPSFLOW_WEBHOOK_URL`).

A robot's secret is write-only: it is stored for signing and never read back out of the engine
(`RobotRow.has_secret` says whether there is one); an empty secret on an edit keeps the old one.
Every change is an administrator's audit event (the secret's value never in it). A refused form
names each bad field with a reason code (`required`, `invalid`, `too_long`, `unknown`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import changes, record_change, require_admin
from engine.errors import InvalidData, NotFound, TooSoon
from engine.models import ROBOT_KINDS, Robot, Store, User

from .channels import Outcome, Rendered, Transport
from .robot_routing import CENTER, CENTER_DEFAULT, REGION, ROBOT_EVENTS, SCOPES, STORE
from .robots import robot_body

#: Audit events of robot changes (administrators' changes, shown on the admin page).
ROBOT_CHANGES = ("robot_created", "robot_changed", "robot_deleted")
MAX_NAME, MAX_URL, MAX_SECRET = 128, 1024, 255
#: The name the startup configuration gives the operations center's robot it creates.
CENTER_ROBOT_NAME = "Operations center"


@dataclass(frozen=True)
class RobotRow:
    """A robot as its pages show it: never its secret."""

    id: int
    name: str
    kind: str
    scope: str
    scope_value: str | None
    url: str
    has_secret: bool
    events: tuple[str, ...]
    active: bool
    created_at: datetime

    @property
    def url_hint(self) -> str:
        """The webhook's host, for lists: the rest of the URL is a credential too."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"


def _row(r: Robot) -> RobotRow:
    return RobotRow(r.id, r.name, r.kind, r.scope, r.scope_value, r.url, bool(r.secret),
                    tuple(r.events or ()), r.active, r.created_at)


def list_robots(session: Session, actor: User) -> list[RobotRow]:
    require_admin(actor)
    order = (Robot.scope, Robot.scope_value, Robot.name, Robot.id)
    return [_row(r) for r in session.scalars(select(Robot).order_by(*order))]


def get_robot(session: Session, actor: User, robot_id: int) -> RobotRow:
    require_admin(actor)
    return _row(_robot(session, robot_id))


def save_robot(session: Session, actor: User, robot_id: int | None, *, name: str, kind: str, scope: str,
               scope_value: str | None, url: str, secret: str | None, events: Sequence[str], active: bool,
               now: datetime, clear_secret: bool = False) -> RobotRow:
    """Create (`robot_id` None) or change a robot; `secret` empty keeps the stored one, unless
    `clear_secret` removes it."""
    require_admin(actor)
    robot = _robot(session, robot_id) if robot_id is not None else None
    values = _checked(session, name=name, kind=kind, scope=scope, scope_value=scope_value, url=url,
                      secret=secret, events=events)
    new_secret = values.pop("secret")
    if robot is None:
        robot = Robot(**values, secret=new_secret, active=active, created_at=now)
        session.add(robot)
        session.flush()
        record_change(session, actor, "robot_created", robot.name,
                      {"after": {**_audited(robot), "secret": bool(new_secret)}}, now)
        return _row(robot)
    before = _audited(robot)
    for key, value in values.items():
        setattr(robot, key, value)
    robot.active = active
    secret_changed = bool(new_secret) or (clear_secret and bool(robot.secret))
    if new_secret:
        robot.secret = new_secret
    elif clear_secret:
        robot.secret = None
    changed = changes(before, _audited(robot))
    if secret_changed:
        changed["secret"] = ["…", "…"]  # that it changed, never what it is
    if changed:
        record_change(session, actor, "robot_changed", robot.name, {"changes": changed}, now)
    session.flush()
    return _row(robot)


def set_robot_active(session: Session, actor: User, robot_id: int, active: bool, now: datetime) -> RobotRow:
    require_admin(actor)
    robot = _robot(session, robot_id)
    if robot.active != active:
        record_change(session, actor, "robot_changed", robot.name,
                      {"changes": {"active": [robot.active, active]}}, now)
        robot.active = active
        session.flush()
    return _row(robot)


def delete_robot(session: Session, actor: User, robot_id: int, now: datetime) -> None:
    """Remove a robot and its unsent messages (the outbox rows go with it)."""
    require_admin(actor)
    robot = _robot(session, robot_id)
    record_change(session, actor, "robot_deleted", robot.name, {"before": _audited(robot)}, now)
    session.delete(robot)
    session.flush()


def send_test_message(session: Session, actor: User, robot_id: int, transport: Transport, *, title: str,
                      lines: Sequence[str], link_url: str | None, link_text: str, now: datetime) -> Outcome:
    """Send one message to the robot now, bypassing the outbox, so an administrator sees at once
    whether the URL and secret work (the text is the caller's, in the reader's language).

    The message counts in the robot's rate window like any delivery (give the transport the shared
    window): DingTalk and WeCom take 20 messages a minute and DingTalk then blocks the robot for ten
    minutes, so a test beside a busy minute of notifications would silence the group. When the window
    is full (or the robot itself answers "too many") the test is refused with `TooSoon`, not queued:
    the administrator is waiting for an answer about the URL and secret now, and a test posted
    minutes later would take a slot from real notifications and tell the group nothing new."""
    require_admin(actor)
    robot = _robot(session, robot_id)
    message = Rendered(outbox_id=0, channel=robot.kind, to=robot.url, secret=robot.secret,
                       body=robot_body(robot.kind, title, lines, link_url, link_text=link_text))
    [outcome] = transport.send([message])
    if not outcome.ok and outcome.retry_at is not None:
        wait = max(1, math.ceil((outcome.retry_at - now).total_seconds()))
        raise TooSoon(f"robot {robot.id}: its rate limit is reached, try again in {wait} s "
                      f"({outcome.error})", retry_after=wait)
    return outcome


def ensure_center_robot(session: Session, url: str, kind: str, secret: str | None, now: datetime) -> RobotRow:
    """Create or update the operations center's robot from the startup configuration: the first
    center robot takes the URL, kind and (if given) secret, and is made active; its events stay."""
    values = _checked(session, name=CENTER_ROBOT_NAME, kind=kind, scope=CENTER, scope_value=None, url=url,
                      secret=secret, events=())
    robot = session.scalars(select(Robot).where(Robot.scope == CENTER).order_by(Robot.id).limit(1)).first()
    if robot is None:
        robot = Robot(name=CENTER_ROBOT_NAME, kind=values["kind"], scope=CENTER, scope_value=None,
                      url=values["url"], secret=values["secret"], events=list(CENTER_DEFAULT), active=True,
                      created_at=now)
        session.add(robot)
        session.flush()
        record_change(session, None, "robot_created", robot.name,
                      {"after": {**_audited(robot), "secret": bool(robot.secret)}}, now)
        return _row(robot)
    before = _audited(robot)
    robot.kind, robot.url, robot.active = values["kind"], values["url"], True
    changed = changes(before, _audited(robot))
    if values["secret"] and values["secret"] != robot.secret:
        robot.secret = values["secret"]
        changed["secret"] = ["…", "…"]
    if changed:
        record_change(session, None, "robot_changed", robot.name, {"changes": changed}, now)
    session.flush()
    return _row(robot)


def _robot(session: Session, robot_id: int) -> Robot:
    robot = session.get(Robot, robot_id)
    if robot is None:
        raise NotFound(f"robot {robot_id} does not exist")
    return robot


def _audited(robot: Robot) -> dict[str, Any]:
    return {"name": robot.name, "kind": robot.kind, "scope": robot.scope, "scope_value": robot.scope_value,
            "url": _host(robot.url), "events": list(robot.events or ()), "active": robot.active}


def _host(url: str) -> str:
    """A webhook URL as the audit trail keeps it: the host, not the key in its path or query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def _checked(session: Session, *, name: str, kind: str, scope: str, scope_value: str | None, url: str,
             secret: str | None, events: Sequence[str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name, url = (name or "").strip(), (url or "").strip()
    value, secret = (scope_value or "").strip().upper() or None, (secret or "").strip() or None
    if not name:
        errors["name"] = "required"
    elif len(name) > MAX_NAME:
        errors["name"] = "too_long"
    if kind not in ROBOT_KINDS:
        errors["kind"] = "unknown"
    if scope not in SCOPES:
        errors["scope"] = "unknown"
    elif scope == CENTER:
        value = None
    elif value is None:
        errors["scope_value"] = "required"
    elif scope == STORE and session.get(Store, value) is None:
        errors["scope_value"] = "unknown"
    elif scope == REGION and session.scalar(select(Store.code).where(Store.region == value).limit(1)) is None:
        errors["scope_value"] = "unknown"
    parts = urlsplit(url)
    if not url:
        errors["url"] = "required"
    elif len(url) > MAX_URL:
        errors["url"] = "too_long"
    elif parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        errors["url"] = "invalid"
    if secret is not None and len(secret) > MAX_SECRET:
        errors["secret"] = "too_long"
    chosen = [e for e in ROBOT_EVENTS if e in set(events)]
    if len(chosen) != len(set(events)):
        errors["events"] = "unknown"
    if errors:
        raise InvalidData("the robot was not saved", errors)
    return {"name": name, "kind": kind, "scope": scope, "scope_value": value, "url": url, "secret": secret,
            "events": chosen}
