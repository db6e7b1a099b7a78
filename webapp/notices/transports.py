"""The transports the configuration sets up, by channel: e-mail when `SMTP_HOST` is set, group
robots always. A channel
without a transport is left in the outbox (the admin delivery log shows it pending)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from engine.clock import system_clock
from engine.delivery import RobotTransport, SmtpSettings, SmtpTransport, Transport
from engine.models import ROBOT_KINDS

EMAIL = "email"


def transports_for(config: Mapping[str, Any],
                   sessions: Callable[[], Session] | None = None) -> dict[str, Transport]:
    """The outbox's transports; with `sessions`, the robots' rate windows are shared through the
    database by every process that sends."""
    found: dict[str, Transport] = {}
    if config.get("SMTP_HOST"):
        found[EMAIL] = SmtpTransport(SmtpSettings(
            host=config["SMTP_HOST"], port=int(config.get("SMTP_PORT") or 25),
            mail_from=config.get("MAIL_FROM") or "opsflow@localhost",
            starttls=bool(config.get("SMTP_STARTTLS")), username=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None, cafile=config.get("SMTP_CAFILE") or None,
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 30.0)))
    # one transport for every robot kind, kept as long as the runner
    robots = RobotTransport(system_clock, per_minute=config.get("ROBOT_RATE_PER_MINUTE") or None,
                            sessions=sessions)
    for kind in ROBOT_KINDS:
        found[kind] = robots
    return found


def robot_test_transport(config: Mapping[str, Any], clock: Callable[[], datetime],
                         bind: Any) -> RobotTransport:
    """The transport of an administrator's test message: the rate windows of `robot_send` on `bind`
    (the app's database engine), the very windows the delivery workers count in, so that a test
    never pushes a robot past its limit beside a busy minute of notifications."""
    return RobotTransport(clock, per_minute=config.get("ROBOT_RATE_PER_MINUTE") or None,
                          sessions=sessionmaker(bind=bind))
