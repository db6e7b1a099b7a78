"""代理: a person (or an administrator for anyone) sets an away period and a deputy who holds the
person's roles within the same region; nobody else may, and a deputy without the role is refused."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import InvalidData, NotFound, PermissionDenied
from engine.directory import away_of, clear_away, deputy_candidates, set_away
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.models import AuditEvent, AwayPeriod


def _week(clock):
    return clock(), clock() + timedelta(days=7)


def test_a_person_sets_their_own_away_period_and_sees_it(session, people, clock):
    m2 = people["manager_sh002"]
    start, end = _week(clock)
    view = set_away(session, m2, m2.id, deputy=" manager_sh001 ", starts_at=start, ends_at=end, now=clock())
    session.commit()
    assert (view.username, view.deputy, view.holds_now, view.upcoming, view.set_by) == (
        "manager_sh002", "manager_sh001", True, False, "manager_sh002")
    assert away_of(session, m2, m2.id, clock()) == view
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "away_set")).all()
    assert (event.actor_id, event.message, event.data["deputy"]) == (m2.id, "manager_sh002", "manager_sh001")
    # setting it again replaces it
    set_away(session, m2, m2.id, deputy="deputy_sh001", starts_at=start + timedelta(days=1), ends_at=end,
             now=clock())
    session.commit()
    assert [p.deputy_id for p in session.scalars(select(AwayPeriod))] == [people["deputy_sh001"].id]
    assert away_of(session, m2, m2.id, clock()).upcoming


def test_the_period_ends_and_can_be_cleared(session, people, clock):
    m2 = people["manager_sh002"]
    start, end = _week(clock)
    set_away(session, m2, m2.id, deputy="manager_sh001", starts_at=start, ends_at=end, now=clock())
    clock.set(end)
    assert away_of(session, m2, m2.id, clock()) is None  # the end is exclusive
    assert clear_away(session, m2, m2.id, clock()) is False
    clock.set(start)
    assert clear_away(session, m2, m2.id, clock()) is True
    session.commit()
    assert away_of(session, m2, m2.id, clock()) is None
    assert session.scalars(select(AuditEvent.event_type).where(AuditEvent.event_type == "away_cleared")).all()


def test_an_administrator_sets_it_for_anyone_nobody_else_does(session, people, root, clock):
    m2 = people["manager_sh002"]
    start, end = _week(clock)
    view = set_away(session, root, m2.id, deputy="manager_sh001", starts_at=start, ends_at=end, now=clock())
    assert (view.username, view.set_by) == ("manager_sh002", "root")
    assert [name for name, _ in deputy_candidates(session, root, m2.id)] == ["deputy_sh001", "manager_sh001"]
    session.commit()
    for name in ("manager_sh001", "supervisor_east", "director"):
        with pytest.raises(PermissionDenied):
            set_away(session, people[name], m2.id, deputy="deputy_sh001", starts_at=start, ends_at=end,
                     now=clock())
        with pytest.raises(PermissionDenied):
            away_of(session, people[name], m2.id, clock())
        with pytest.raises(PermissionDenied):
            clear_away(session, people[name], m2.id, clock())
    with pytest.raises(NotFound):
        set_away(session, root, 999999, deputy="deputy_sh001", starts_at=start, ends_at=end, now=clock())
    session.rollback()
    assert away_of(session, root, m2.id, clock()).deputy == "manager_sh001"


@pytest.mark.parametrize(("deputy", "starts", "ends", "field", "code"), [
    ("", 0, 7, "deputy", "required"),
    ("nobody", 0, 7, "deputy", "unknown"),
    ("manager_sh002", 0, 7, "deputy", "self"),
    ("cs_li", 0, 7, "deputy", "missing_roles"),  # not a store manager
    ("supervisor_east", 0, 7, "deputy", "missing_roles"),  # supervises the region, is no manager
    ("manager_bj001", 0, 7, "deputy", "missing_roles"),  # a manager, but in another region
    ("manager_sh001", 3, 2, "ends_at", "not_after_start"),
    ("manager_sh001", -3, -1, "ends_at", "past"),
    ("manager_sh001", 0, 400, "ends_at", "too_long"),
    ("manager_sh001", None, 7, "starts_at", "required"),
])
def test_refusals_name_the_field_and_change_nothing(session, people, clock, dump, deputy, starts, ends, field,
                                                     code):
    insert_user_unchecked(session, "manager_bj001", None, password_hash="!",
                          roles=[RoleSpec("store_manager", "BJ001")], now=clock())
    session.commit()
    before = dump(session)
    m2 = people["manager_sh002"]
    with pytest.raises(InvalidData) as refused:
        set_away(session, m2, m2.id, deputy=deputy,
                 starts_at=None if starts is None else clock() + timedelta(days=starts),
                 ends_at=clock() + timedelta(days=ends), now=clock())
    assert refused.value.fields[field] == code
    session.rollback()
    assert dump(session) == before


def test_an_inactive_deputy_is_refused(session, people, clock):
    people["manager_sh001"].active = False
    session.commit()
    m2 = people["manager_sh002"]
    with pytest.raises(InvalidData) as refused:
        set_away(session, m2, m2.id, deputy="manager_sh001", starts_at=clock(),
                 ends_at=clock() + timedelta(days=1), now=clock())
    assert refused.value.fields == {"deputy": "unknown"}


def test_unscoped_and_regional_roles_need_an_unscoped_or_same_region_deputy(session, people, clock):
    insert_user_unchecked(session, "director_two", None, password_hash="!", roles=[RoleSpec("ops_director")],
                          now=clock())
    insert_user_unchecked(session, "supervisor_east2", None, password_hash="!",
                          roles=[RoleSpec("store_supervisor", region="EAST")], now=clock())
    session.commit()
    end = clock() + timedelta(days=1)
    director, east = people["director"], people["supervisor_east"]
    assert set_away(session, director, director.id, deputy="director_two", starts_at=clock(), ends_at=end,
                    now=clock()).deputy == "director_two"
    assert set_away(session, east, east.id, deputy="supervisor_east2", starts_at=clock(), ends_at=end,
                    now=clock()).deputy == "supervisor_east2"
    with pytest.raises(InvalidData):
        set_away(session, east, east.id, deputy="supervisor_north", starts_at=clock(), ends_at=end,
                 now=clock())
