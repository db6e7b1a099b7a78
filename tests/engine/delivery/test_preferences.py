"""Per-person switches and quiet hours (issue 12): which notifications reach the inbox and which
leave by e-mail, and when."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import InvalidData, delivery
from engine.models import Notification, OutboxMessage

UTC = timezone.utc


def _start_and_report(engine, session, people):
    """A case whose report step is done: its approval is assigned to the director by rule."""
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    return case


@pytest.mark.parametrize(("now", "until"), [
    (datetime(2026, 11, 2, 15, 0, tzinfo=UTC), datetime(2026, 11, 3, 0, 0, tzinfo=UTC)),  # 23:00 Shanghai
    (datetime(2026, 11, 2, 23, 30, tzinfo=UTC), datetime(2026, 11, 3, 0, 0, tzinfo=UTC)),  # 07:30 next day
    (datetime(2026, 11, 2, 0, 0, tzinfo=UTC), None),  # 08:00 sharp: the quiet hours are over
    (datetime(2026, 11, 2, 13, 59, tzinfo=UTC), None),  # 21:59
])
def test_quiet_hours_run_over_midnight_in_the_persons_zone(now, until):
    assert delivery.quiet_until(now, "Asia/Shanghai", "22:00", "08:00") == until


def test_quiet_hours_within_a_day_and_empty_ones():
    noon = datetime(2026, 11, 2, 12, 30, tzinfo=UTC)
    assert delivery.quiet_until(noon, "UTC", "12:00", "14:00") == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert delivery.quiet_until(noon, "UTC", "13:00", "14:00") is None
    assert delivery.quiet_until(noon, "UTC", "08:00", "08:00") is None
    assert delivery.quiet_until(noon, "No/Such_Zone", "12:00", "14:00") is not None  # read as UTC


def test_defaults_tell_by_inbox_and_email_but_cc_only_in_the_inbox(session, people):
    choices = delivery.notification_preferences(session, people["director"])
    assert choices.wants("assigned", "inbox") and choices.wants("assigned", "email")
    assert choices.wants("cc", "inbox") and not choices.wants("cc", "email")
    data = choices.to_dict()
    assert data["quiet_hours"] == {"enabled": True, "start": "22:00", "end": "08:00",
                                   "timezone": "Asia/Shanghai"}
    assert set(data["switches"]) == set(delivery.EVENT_KINDS)


def test_switches_decide_the_inbox_and_the_email(engine, session, people, deployed, clock):
    director = people["director"]
    director.email = "director@opsflow.example"
    delivery.save_notification_preferences(session, director, {"switches": {"assigned": {"inbox": False}}})
    session.commit()
    clock.set(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))  # 11:00 in Shanghai
    _start_and_report(engine, session, people)
    assert session.scalars(select(Notification).where(Notification.recipient_id == director.id)).all() == []
    [mail] = session.scalars(select(OutboxMessage)).all()
    assert (mail.channel, mail.kind, mail.recipient_id) == ("email", "assigned", director.id)
    assert mail.available_at == clock()
    assert mail.payload["step"] == "总监审批" and mail.payload["due_at"] is None


def test_quiet_hours_hold_the_email_to_the_morning_but_not_the_inbox(engine, session, people, deployed,
                                                                      clock):
    people["director"].email = "director@opsflow.example"
    session.commit()
    clock.set(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    _start_and_report(engine, session, people)
    [mail] = session.scalars(select(OutboxMessage)).all()
    assert mail.available_at == datetime(2026, 11, 3, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert session.scalar(select(Notification.kind)) == "assigned"


def test_a_person_without_quiet_hours_or_without_email_wanted(engine, session, people, deployed, clock):
    director = people["director"]
    director.email = "director@opsflow.example"
    delivery.save_notification_preferences(session, director, {"quiet_hours": {"enabled": False}})
    session.commit()
    clock.set(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))
    _start_and_report(engine, session, people)
    assert session.scalar(select(OutboxMessage.available_at)) == clock()
    delivery.save_notification_preferences(session, director, {"switches": {"assigned": {"email": False}}})
    session.commit()
    assert delivery.notification_preferences(session, director).quiet_enabled is False  # kept
    _start_and_report(engine, session, people)
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_saving_keeps_only_what_differs_from_the_defaults_and_refuses_nonsense_whole(session, people):
    me = people["cs_li"]
    saved = delivery.save_notification_preferences(session, me, {
        "switches": {"cc": {"email": True}, "assigned": {"email": True, "inbox": False}},
        "quiet_hours": {"start": "23:30", "end": "07:00"}})
    session.commit()
    assert dict(saved.changed) == {("cc", "email"): True, ("assigned", "inbox"): False}
    assert (saved.quiet_start, saved.quiet_end, saved.quiet_enabled) == ("23:30", "07:00", True)
    with pytest.raises(InvalidData) as refused:
        delivery.save_notification_preferences(session, me, {
            "switches": {"nope": {"email": True}, "cc": {"fax": True, "inbox": "yes"}},
            "quiet_hours": {"start": "25:00", "enabled": 1}})
    assert set(refused.value.fields) == {"switches.nope", "switches.cc.fax", "switches.cc.inbox",
                                         "quiet_hours.start", "quiet_hours.enabled"}
    session.rollback()
    assert dict(delivery.notification_preferences(session, me).changed) == {("cc", "email"): True,
                                                                            ("assigned", "inbox"): False}
