"""The directory: administrators keep users, their scoped roles and stores; a refusal names the field
and changes nothing; an administrator cannot lock themselves out."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access.grants import Grant
from engine.directory import people as directory
from engine.directory import stores as directory_stores
from engine.directory.accounts import (
    RoleSpec,
    authenticate,
    insert_user_unchecked,
    issue_token,
    user_for_token,
)
from engine.directory.people import DirectoryRules
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.models import Store, User

RULES = DirectoryRules(role_scopes={
    "admin": "company", "ops_director": "company", "cs_agent": "company",
    "store_manager": "store", "franchisee": "store", "store_supervisor": "region"})


@pytest.fixture
def admin(session, people, clock) -> User:
    user = insert_user_unchecked(session, "root", "secret-root", roles=[RoleSpec("admin")], now=clock.current)
    session.commit()
    return user


def refused(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidData) as caught:
        call(*args, **kwargs)
    return caught.value.fields


def start_cases(engine, session, people, store_code: str, n: int) -> list:
    """`n` cases of the fixture process, each waiting on a store manager's task at `store_code`."""
    starter = people["manager_sh001" if store_code == "SH001" else "manager_sh002"]
    return [engine.start(session, "lanes_gateway", starter, {"store_code": store_code, "amount": 10})
            for _ in range(n)]


def new_user(session, admin, clock, **overrides):
    values = {"username": "li.na", "password": "longenough", "display_name": "李娜", "email": "li@example.cn",
              "locale": "zh_CN", "roles": [Grant("store_manager", "SH002")]}
    values.update(overrides)
    return directory.create_user(session, admin, RULES, now=clock.current, **values)


# -- who may ------------------------------------------------------------------------------------

def test_only_administrators_may_use_the_directory(session, people, clock):
    director = people["director"]
    calls = [
        lambda: directory.list_users(session, director),
        lambda: directory.get_user(session, director, director.id),
        lambda: directory.scope_choices(session, director),
        lambda: new_user(session, director, clock),
        lambda: directory.update_user(session, director, RULES, director.id, display_name="x", email="",
                                      locale="en", active=True, roles=[Grant("admin")]),
        lambda: directory.set_roles(session, director, RULES, director.id, [Grant("admin")]),
        lambda: directory.set_active(session, director, people["cs_li"].id, False),
        lambda: directory.reset_password(session, director, people["cs_li"].id, "newpassword"),
        lambda: directory_stores.list_stores(session, director),
        lambda: directory_stores.get_store(session, director, "SH001"),
        lambda: directory_stores.create_store(session, director, code="SH009", name="x", region="EAST"),
        lambda: directory_stores.update_store(session, director, "SH001", name="x", region="EAST",
                                              kind="direct", status="open"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert session.scalar(select(User).where(User.username == "li.na")) is None
    assert session.get(Store, "SH009") is None


# -- users --------------------------------------------------------------------------------------

def test_list_users_filters_by_text_and_role_and_counts_held_tasks(session, people, admin, engine):
    rows = directory.list_users(session, admin)
    assert [r.username for r in rows] == sorted(r.username for r in rows)
    assert {"root", "director", "supervisor_east"} <= {r.username for r in rows}
    supervisor = next(r for r in rows if r.username == "supervisor_east")
    assert supervisor.roles == (Grant("store_supervisor", region="EAST"),)

    assert {r.username for r in directory.list_users(session, admin, text="SH00")} == {
        "manager_sh001", "manager_sh002", "deputy_sh001"}
    assert {r.username for r in directory.list_users(session, admin, role="store_manager")} == {
        "manager_sh001", "manager_sh002", "deputy_sh001"}
    assert [r.username for r in directory.list_users(session, admin, text="sh002", role="store_manager")] == [
        "manager_sh002"]
    assert directory.list_users(session, admin, text="100%_") == []  # LIKE wildcards are literal

    for case in start_cases(engine, session, people, "SH001", 3)[:2]:
        engine.claim(session, case.open_tasks[0].id, people["manager_sh001"])
    session.flush()
    held = {r.username: r.held_tasks for r in directory.list_users(session, admin)}
    assert held["manager_sh001"] == 2 and held["manager_sh002"] == 0
    assert directory.get_user(session, admin, people["manager_sh001"].id).held_tasks == 2


def test_create_user_stores_a_hashed_password_and_scoped_roles(session, admin, clock):
    row = new_user(session, admin, clock, roles=[Grant("store_manager", "SH002"), Grant("cs_agent"),
                                                 Grant("store_supervisor", region="NORTH")])
    session.commit()
    user = session.get(User, row.id)
    assert (user.username, user.display_name, user.email, user.locale, user.active) == (
        "li.na", "李娜", "li@example.cn", "zh_CN", True)
    assert "longenough" not in user.password_hash
    assert authenticate(session, "li.na", "longenough") is not None
    assert set(row.roles) == {Grant("store_manager", "SH002"), Grant("cs_agent"),
                              Grant("store_supervisor", region="NORTH")}
    plain = new_user(session, admin, clock, username="wang", display_name="", email="", roles=[])
    assert plain.display_name == "wang"


@pytest.mark.parametrize("overrides, field, reason", [
    ({"username": ""}, "username", "required"),
    ({"username": "ab"}, "username", "invalid"),
    ({"username": "Li.Na"}, "username", "invalid"),
    ({"username": "li na"}, "username", "invalid"),
    ({"username": "x" * 65}, "username", "invalid"),
    ({"username": "director"}, "username", "taken"),
    ({"username": "system"}, "username", "taken"),  # the actor of scheduled starts
    ({"password": "short"}, "password", "too_short"),
    ({"password": ""}, "password", "required"),
    ({"email": "not-an-address"}, "email", "invalid"),
    ({"locale": "fr"}, "locale", "unknown"),
    ({"display_name": "x" * 129}, "display_name", "too_long"),
    ({"roles": [Grant("wizard")]}, "roles.0.role", "unknown"),
    ({"roles": [Grant("")]}, "roles.0.role", "required"),
    ({"roles": [Grant("cs_agent"), Grant("store_manager")]}, "roles.1.store_code", "required"),
    ({"roles": [Grant("store_manager", "XX999")]}, "roles.0.store_code", "unknown"),
    ({"roles": [Grant("store_manager", "SH001", "EAST")]}, "roles.0.region", "not_scoped"),
    ({"roles": [Grant("store_supervisor")]}, "roles.0.region", "required"),
    ({"roles": [Grant("store_supervisor", region="WEST")]}, "roles.0.region", "unknown"),
    ({"roles": [Grant("store_supervisor", "SH001", "EAST")]}, "roles.0.store_code", "not_scoped"),
    ({"roles": [Grant("cs_agent", region="EAST")]}, "roles.0.region", "not_scoped"),
    ({"roles": [Grant("franchisee", "SH001"), Grant("franchisee", "SH001")]}, "roles.1.role", "duplicate"),
])
def test_create_user_refuses_bad_input_and_changes_nothing(session, admin, clock, dump, overrides, field,
                                                            reason):
    before = dump(session)
    fields = refused(new_user, session, admin, clock, **overrides)
    assert fields[field] == reason
    session.rollback()
    assert dump(session) == before


def test_create_user_names_every_bad_field_at_once(session, admin, clock):
    fields = refused(new_user, session, admin, clock, username="A", password="x", email="@",
                     roles=[Grant("store_manager")])
    assert set(fields) == {"username", "password", "email", "roles.0.store_code"}


def test_update_user_changes_details_active_flag_and_roles_together(session, people, admin):
    target = people["manager_sh001"]
    row = directory.update_user(session, admin, RULES, target.id, display_name="张店长", email="z@example.cn",
                                locale="en", active=False,
                                roles=[Grant("store_manager", "SH001"),
                                       Grant("store_supervisor", region="EAST")])
    session.commit()
    assert (row.display_name, row.email, row.locale, row.active) == ("张店长", "z@example.cn", "en", False)
    assert set(row.roles) == {Grant("store_manager", "SH001"), Grant("store_supervisor", region="EAST")}
    assert authenticate(session, "manager_sh001", "x" * 8) is None  # deactivated: no login

    directory.update_user(session, admin, RULES, target.id, display_name="", email="", locale="zh_CN",
                          active=True, roles=[])
    session.commit()
    session.refresh(target)
    assert (target.display_name, target.email, target.roles, target.active) == (
        "manager_sh001", None, [], True)
    assert authenticate(session, "manager_sh001", "x" * 8) is not None


def test_update_user_refuses_bad_roles_and_changes_nothing(session, people, admin, dump):
    before = dump(session)
    fields = refused(directory.update_user, session, admin, RULES, people["cs_li"].id, display_name="x",
                     email="bad", locale="en", active=False, roles=[Grant("store_manager", "NOPE")])
    assert fields == {"email": "invalid", "roles.0.store_code": "unknown"}
    session.rollback()
    assert dump(session) == before
    with pytest.raises(NotFound):
        directory.get_user(session, admin, 999_999)


def test_an_administrator_cannot_lock_themselves_out(session, admin, dump):
    before = dump(session)
    fields = refused(directory.update_user, session, admin, RULES, admin.id, display_name="", email="",
                     locale="zh_CN", active=False, roles=[Grant("cs_agent")])
    assert fields == {"active": "own_account", "roles": "own_account"}
    assert refused(directory.set_active, session, admin, admin.id, False) == {"active": "own_account"}
    assert refused(directory.set_roles, session, admin, RULES, admin.id, []) == {"roles": "own_account"}
    session.rollback()
    assert dump(session) == before
    row = directory.set_roles(session, admin, RULES, admin.id, [Grant("admin"), Grant("cs_agent")])
    assert set(row.roles) == {Grant("admin"), Grant("cs_agent")}


def test_set_active_and_set_roles_for_another_user(session, people, admin, clock):
    target = people["cs_li"]
    token = issue_token(session, target, clock.current)
    assert directory.set_active(session, admin, target.id, False).active is False
    session.commit()
    assert user_for_token(session, token, clock.current) is None
    assert directory.set_active(session, admin, target.id, True).active is True
    row = directory.set_roles(session, admin, RULES, target.id,
                              [Grant("cs_agent"), Grant("franchisee", "SH002")])
    assert set(row.roles) == {Grant("cs_agent"), Grant("franchisee", "SH002")}
    session.commit()


def test_reset_password_replaces_the_hash_and_revokes_api_tokens(session, people, admin, clock, dump):
    target = people["cs_li"]
    token = issue_token(session, target, clock.current)
    session.commit()
    before = dump(session)
    fields = refused(directory.reset_password, session, admin, target.id, "1234567")
    assert fields == {"password": "too_short"}
    session.rollback()
    assert dump(session) == before

    directory.reset_password(session, admin, target.id, "a-new-password")
    session.commit()
    assert authenticate(session, "cs_li", "x" * 8) is None
    assert authenticate(session, "cs_li", "a-new-password") is not None
    assert user_for_token(session, token, clock.current) is None


def test_scope_choices_are_the_stores_and_regions_that_exist(session, admin):
    choices = directory.scope_choices(session, admin)
    assert [code for code, _ in choices.stores] == ["BJ001", "SH001", "SH002"]
    assert choices.regions == ("EAST", "NORTH")


# -- stores -------------------------------------------------------------------------------------

def test_list_stores_counts_open_tasks(session, people, admin, engine):
    start_cases(engine, session, people, "SH001", 2)
    start_cases(engine, session, people, "SH002", 1)
    rows = {s.code: s for s in directory_stores.list_stores(session, admin)}
    assert list(rows) == ["BJ001", "SH001", "SH002"]
    assert (rows["SH001"].open_tasks, rows["SH002"].open_tasks, rows["BJ001"].open_tasks) == (2, 1, 0)
    assert rows["BJ001"].region == "NORTH"
    assert sum(r.open_tasks for r in rows.values()) == 3
    assert directory_stores.get_store(session, admin, "SH001").open_tasks == 2


def test_create_and_update_a_store_whose_code_stays(session, admin):
    row = directory_stores.create_store(session, admin, code="GZ001", name="广州天河店",
                                        name_en="Guangzhou Tianhe", region="SOUTH", kind="franchise",
                                        city="广州")
    session.commit()
    assert (row.status, row.kind, row.region) == ("planned", "franchise", "SOUTH")
    assert "SOUTH" in directory.scope_choices(session, admin).regions

    row = directory_stores.update_store(session, admin, "GZ001", name="广州天河加盟店", region="SOUTH",
                                        kind="franchise", status="open", city="广州")
    session.commit()
    store = session.get(Store, "GZ001")
    assert (store.name, store.status, store.name_en) == ("广州天河加盟店", "open", "")
    with pytest.raises(NotFound):
        directory_stores.update_store(session, admin, "NOPE1", name="x", region="EAST", kind="direct",
                                      status="open")


@pytest.mark.parametrize("overrides, field, reason", [
    ({"code": ""}, "code", "required"),
    ({"code": "sh009"}, "code", "invalid"),
    ({"code": "S"}, "code", "invalid"),
    ({"code": "SH-009"}, "code", "invalid"),
    ({"code": "SH001"}, "code", "taken"),
    ({"name": "  "}, "name", "required"),
    ({"region": ""}, "region", "required"),
    ({"region": "east china"}, "region", "invalid"),
    ({"kind": "joint"}, "kind", "unknown"),
    ({"status": "dreamt"}, "status", "unknown"),
    ({"city": "x" * 65}, "city", "too_long"),
])
def test_store_input_is_checked_and_a_refusal_changes_nothing(session, admin, dump, overrides, field, reason):
    values = {"code": "SH009", "name": "上海新店", "region": "EAST", "kind": "direct", "status": "planned"}
    values.update(overrides)
    before = dump(session)
    assert refused(directory_stores.create_store, session, admin, **values)[field] == reason
    if field != "code":
        update = {k: v for k, v in values.items() if k != "code"}
        assert refused(directory_stores.update_store, session, admin, "SH001", **update)[field] == reason
    session.rollback()
    assert dump(session) == before


def test_a_name_taken_between_the_check_and_the_insert_is_refused_as_taken(session, sessions, people, admin,
                                                                         clock, monkeypatch):
    """Two administrators creating the same account (or store) at once: the second is told, and the
    first one's account or store is neither overwritten nor a 500."""
    def other_admin_creates(make):
        with sessions() as other:
            other.add(make())
            other.commit()

    hash_password = directory.hash_password

    def hash_meanwhile(password):
        other_admin_creates(lambda: User(username="li.na", display_name="另一个李娜", password_hash="!",
                                         created_at=clock.current))
        return hash_password(password)

    monkeypatch.setattr(directory, "hash_password", hash_meanwhile)
    assert refused(new_user, session, admin, clock) == {"username": "taken"}
    session.rollback()
    check = directory_stores._check

    def check_meanwhile(*args):
        other_admin_creates(lambda: Store(code="GZ009", name="广州店", region="SOUTH"))
        return check(*args)

    monkeypatch.setattr(directory_stores, "_check", check_meanwhile)
    assert refused(directory_stores.create_store, session, admin, code="GZ009", name="x", region="SOUTH") == \
        {"code": "taken"}
    session.rollback()
    assert session.get(Store, "GZ009").name == "广州店"
    assert session.scalar(select(User.display_name).where(User.username == "li.na")) == "另一个李娜"
