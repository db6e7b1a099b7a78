"""`opsflow remind`: the periodic reminders, once, on the wall clock; its settings checked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config import ConfigError, load_config
from engine import Engine, system_clock
from engine.db import make_sessions, make_sql_engine
from engine.models import Notification, User
from workflows.catalogue import catalogue

from .test_cli import cli, db_file, query  # noqa: F401  (the fixtures)


def test_remind_tells_each_thing_once(cli, db_file, query):  # noqa: F811
    assert cli("deploy").exit_code == 0 and cli("demo").exit_code == 0
    sql_engine = make_sql_engine(f"sqlite:///{db_file}")
    try:
        with make_sessions(sql_engine)() as session:
            cs_li = session.scalar(select(User).where(User.username == "cs_li"))
            Engine(clock=system_clock, catalogue=catalogue()).start(session, "complaint_handling", cs_li, {
                "customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
                "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
                "amount_claimed": 0})
            session.commit()
    finally:
        sql_engine.dispose()
    first = cli("remind", OPSFLOW_DIGEST_TIME="00:00")  # past midnight everywhere: today's digest is due
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith("notification(s) written")
    digests = query(select(Notification.recipient_id).where(Notification.kind == "digest"))
    assert len(digests) == 1  # the store manager holding the complaint's first step
    assert cli("remind", OPSFLOW_DIGEST_TIME="00:00").exit_code == 0
    assert query(select(Notification.recipient_id).where(Notification.kind == "digest")) == digests


def test_the_reminder_settings_are_checked():
    assert load_config("development", environ={"OPSFLOW_DUE_SOON_HOURS": "2.5"})["DUE_SOON_HOURS"] == 2.5
    assert load_config("development", environ={})["DIGEST_TIME"] == "09:00"
    with pytest.raises(ConfigError, match="OPSFLOW_DIGEST_TIME"):
        load_config("development", environ={"OPSFLOW_DIGEST_TIME": "9am"})
