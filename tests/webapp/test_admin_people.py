"""The admin pages for users, roles and stores: administrators only, CSRF-protected, refused input
shown again beside its field with 422 and nothing saved, success redirected with 303."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.access.grants import Grant
from engine.models import HumanTask, Store, User
from webapp.extensions import db, engine

NEW_USER = {"username": "li.na", "display_name": "李娜", "email": "li@example.cn", "locale": "en",
            "password": "longenough", "roles-0-role": "store_manager", "roles-0-store_code": "SH002",
            "roles-3-role": "store_supervisor", "roles-3-region": "EAST", "roles-4-role": "",
            "roles-4-store_code": "", "roles-4-region": ""}
COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好", "amount_claimed": 0}
NEW_STORE = {"code": "SH009", "name": "上海新天地店", "name_en": "Shanghai Xintiandi", "kind": "direct",
             "region": "EAST", "city": "上海", "address": "马当路 245 号", "status": "planned"}


def csrf_token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def user(app, username: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        if found is not None:
            found.grants = {Grant(r.role, r.store_code, r.region) for r in found.roles}
            db.session.expunge(found)
        return found


def store(app, code: str) -> Store | None:
    with app.app_context():
        found = db.session.get(Store, code)
        if found is not None:
            db.session.expunge(found)
        return found


def user_id(app, username: str) -> int:
    return user(app, username).id


def claimed_complaint(app) -> None:
    """A complaint at SH001 whose investigation manager_sh001 has taken: one open task, held."""
    with app.app_context():
        by_name = {u.username: u for u in db.session.scalars(select(User))}
        case = engine().start(db.session, "complaint_handling", by_name["cs_li"], COMPLAINT)
        engine().claim(db.session, case.open_tasks[0].id, by_name["manager_sh001"])
        db.session.commit()


def error_ids(response) -> set[str]:
    return set(re.findall(r'id="([\w-]+)-error"', response.get_data(as_text=True)))


@pytest.fixture
def admin(client, auth):
    auth.login("admin")
    return client


def post(client, path: str, data: dict, form_page: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)})


# -- who may ------------------------------------------------------------------------------------

def test_only_administrators_reach_the_people_and_store_pages(app, client, auth):
    cs_li = user_id(app, "cs_li")
    pages = ["/admin/users", "/admin/users/new", f"/admin/users/{cs_li}", "/admin/stores",
             "/admin/stores/new", "/admin/stores/SH001"]
    posts = ["/admin/users/new", f"/admin/users/{cs_li}", f"/admin/users/{cs_li}/password",
             "/admin/stores/new", "/admin/stores/SH001"]
    assert all(client.get(p).status_code == 302 for p in pages)  # to the login page
    auth.login("director")
    token = csrf_token(client, "/tasks")
    for path in pages:
        assert client.get(path).status_code == 403, path
    for path in posts:
        data = {**NEW_USER, **NEW_STORE, "active": "1", "csrf_token": token}
        assert client.post(path, data=data).status_code == 403, path
    assert user(app, "li.na") is None and store(app, "SH009") is None
    assert user(app, "cs_li").active
    assert store(app, "SH001").name == "上海南京路店"


def test_forms_without_a_csrf_token_are_refused(app, admin):
    cs_li = user_id(app, "cs_li")
    for path, data in (("/admin/users/new", NEW_USER),
                       (f"/admin/users/{cs_li}", {"display_name": "x", "locale": "en"}),
                       (f"/admin/users/{cs_li}/password", {"password": "a-new-password"}),
                       ("/admin/stores/new", NEW_STORE), ("/admin/stores/SH001", {**NEW_STORE, "name": "x"})):
        assert admin.post(path, data=data).status_code == 400, path
    assert user(app, "li.na") is None and store(app, "SH009") is None
    assert user(app, "cs_li").display_name != "x" and store(app, "SH001").name == "上海南京路店"


# -- users --------------------------------------------------------------------------------------

def test_the_user_list_shows_roles_scopes_and_filters(app, admin):
    html = admin.get("/admin/users").get_data(as_text=True)
    for name in ("admin", "director", "manager_sh001", "supervisor_east", "franchisee_nj01"):
        assert f'id="user-{user_id(app, name)}"' in html
    assert "SH001" in html and "EAST" in html and "data-demo" in html

    html = admin.get("/admin/users?role=store_supervisor").get_data(as_text=True)
    assert f'id="user-{user_id(app, "supervisor_east")}"' in html
    assert f'id="user-{user_id(app, "director")}"' not in html
    html = admin.get("/admin/users?q=cs_").get_data(as_text=True)
    assert f'id="user-{user_id(app, "cs_li")}"' in html and f'id="user-{user_id(app, "cs_manager")}"' in html
    assert f'id="user-{user_id(app, "admin")}"' not in html
    assert 'name="q"' in html and 'name="role"' in html


def test_creating_a_user(app, admin):
    form = admin.get("/admin/users/new").get_data(as_text=True)
    for name in ("username", "display_name", "email", "locale", "password", "roles-0-role",
                 "roles-0-store_code", "roles-0-region", "csrf_token"):
        assert f'name="{name}"' in form, name
    response = post(admin, "/admin/users/new", NEW_USER)
    assert response.status_code == 303
    created = user(app, "li.na")
    assert response.headers["Location"].endswith(f"/admin/users/{created.id}")
    assert (created.display_name, created.email, created.locale, created.active, created.is_demo) == (
        "李娜", "li@example.cn", "en", True, False)
    assert created.grants == {Grant("store_manager", "SH002"), Grant("store_supervisor", region="EAST")}
    assert "longenough" not in created.password_hash
    page = admin.get(response.headers["Location"])
    assert page.status_code == 200 and 'class="alert alert-success' in page.get_data(as_text=True)


@pytest.mark.parametrize("change, bad_field", [
    ({"username": "Li Na"}, "username"),
    ({"username": "admin"}, "username"),
    ({"password": "short"}, "password"),
    ({"email": "no-at-sign"}, "email"),
    ({"locale": "fr"}, "locale"),
    ({"roles-0-role": "wizard"}, "roles-0-role"),
    ({"roles-0-store_code": ""}, "roles-0-store_code"),
    ({"roles-0-store_code": "ZZ999"}, "roles-0-store_code"),
    ({"roles-3-region": "MARS"}, "roles-1-region"),
    ({"roles-3-role": "store_manager", "roles-3-store_code": "SH002", "roles-3-region": ""}, "roles-1-role"),
    ({"roles-4-role": "cs_agent", "roles-4-store_code": "SH001"}, "roles-2-store_code"),
])
def test_creating_a_user_with_bad_input_is_refused_beside_the_field(app, admin, change, bad_field):
    response = post(admin, "/admin/users/new", {**NEW_USER, **change}, "/admin/users/new")
    assert response.status_code == 422
    assert bad_field in error_ids(response)
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and f'href="#{bad_field}"' in html
    assert 'value="longenough"' not in html  # a password is never sent back
    assert user(app, "li.na") is None and user(app, "Li Na") is None


def test_editing_a_user_changes_details_roles_and_active_flag(app, admin):
    target = user(app, "manager_sh002")
    page = admin.get(f"/admin/users/{target.id}")
    html = page.get_data(as_text=True)
    assert 'name="active"' in html and 'name="roles-0-role"' in html and 'name="username"' not in html
    assert 'id="held-tasks" data-count="0"' in html
    response = post(admin, f"/admin/users/{target.id}", {
        "display_name": "徐家汇店长", "email": "xjh@example.cn", "locale": "zh_CN", "active": "1",
        "roles-0-role": "store_manager", "roles-0-store_code": "SH002",
        "roles-1-role": "franchisee", "roles-1-store_code": "NJ01"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/users/{target.id}")
    changed = user(app, "manager_sh002")
    assert (changed.display_name, changed.email, changed.active) == ("徐家汇店长", "xjh@example.cn", True)
    assert changed.grants == {Grant("store_manager", "SH002"), Grant("franchisee", "NJ01")}


def test_a_refused_edit_changes_nothing(app, admin):
    target = user(app, "manager_sh002")
    response = post(admin, f"/admin/users/{target.id}", {
        "display_name": "改了", "email": "bad", "locale": "en", "roles-0-role": "store_manager",
        "roles-0-store_code": "SH002", "roles-1-role": "store_manager", "roles-1-store_code": "SH002"})
    assert response.status_code == 422
    assert {"email", "roles-1-role"} <= error_ids(response)
    html = response.get_data(as_text=True)
    assert 'value="改了"' in html  # what was typed is shown again
    after = user(app, "manager_sh002")
    assert (after.display_name, after.email, after.locale, after.active) == (
        target.display_name, target.email, target.locale, True)
    assert after.grants == target.grants


def test_a_deactivated_user_cannot_log_in_and_keeps_their_tasks(app, client, auth):
    claimed_complaint(app)
    auth.login("admin")
    target = user(app, "manager_sh001")
    with app.app_context():
        held = len(db.session.scalars(select(HumanTask.id).where(
            HumanTask.assignee_id == target.id, HumanTask.state == "open")).all())
    assert held == 1
    response = post(client, f"/admin/users/{target.id}", {
        "display_name": target.display_name, "email": "", "locale": "zh_CN",
        "roles-0-role": "store_manager", "roles-0-store_code": "SH001"})  # no `active`: unticked
    assert response.status_code == 303
    assert user(app, "manager_sh001").active is False
    html = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert 'data-state="inactive"' in html and f'id="held-tasks" data-count="{held}"' in html
    with app.app_context():
        assert len(db.session.scalars(select(HumanTask.id).where(
            HumanTask.assignee_id == target.id, HumanTask.state == "open")).all()) == held
    auth.logout()
    assert auth.login("manager_sh001").status_code == 401
    assert client.get("/tasks").status_code == 302  # still not logged in


def test_an_admin_cannot_deactivate_themselves_or_drop_their_admin_role(app, admin):
    me = user(app, "admin")
    response = post(admin, f"/admin/users/{me.id}", {"display_name": "x", "locale": "zh_CN",
                                                     "roles-0-role": "ops_director"})
    assert response.status_code == 422
    assert {"active", "roles"} <= error_ids(response)
    after = user(app, "admin")
    assert after.active and after.grants == {Grant("admin")} and after.display_name == me.display_name
    assert admin.get("/admin/users").status_code == 200  # still an administrator


def test_resetting_a_password(app, client, auth):
    auth.login("admin")
    target = user_id(app, "cs_wang")
    page = f"/admin/users/{target}"
    response = post(client, f"/admin/users/{target}/password", {"password": "short"}, page)
    assert response.status_code == 422 and "password" in error_ids(response)
    response = post(client, f"/admin/users/{target}/password", {"password": "brand-new-secret"}, page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    auth.logout()
    assert auth.login("cs_wang", "demo123").status_code == 401
    assert auth.login("cs_wang", "brand-new-secret").status_code == 302


def test_unknown_users_and_stores_are_404(admin):
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get("/admin/stores/NOPE9").status_code == 404


# -- stores -------------------------------------------------------------------------------------

def test_the_store_list(app, admin):
    claimed_complaint(app)
    html = admin.get("/admin/stores").get_data(as_text=True)
    row = re.search(r'<tr id="store-SH001">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'<td class="text-end"[^>]*>1</td>', row)
    for code in ("SH001", "SH002", "HZ001", "NJ01", "NJ02", "SH003"):
        assert f'id="store-{code}"' in html
    rows = dict(re.findall(r'<tr id="store-(\w+)">(.*?)</tr>', html, re.S))
    owners = {code: re.findall(r'store-owner" lang="zh-CN">([^<]*)<', row) for code, row in rows.items()}
    assert {code: found for code, found in owners.items() if found} == {
        "NJ01": ["南京冯氏服饰有限公司"], "NJ02": ["南京冯氏服饰有限公司"]}
    assert 'data-status="planned"' in html and 'href="/admin/stores/new"' in html


def test_creating_and_editing_a_store(app, admin):
    form = admin.get("/admin/stores/new").get_data(as_text=True)
    for name in ("code", "name", "name_en", "kind", "region", "city", "address", "owner", "status",
                 "csrf_token"):
        assert f'name="{name}"' in form, name
    response = post(admin, "/admin/stores/new", NEW_STORE)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/stores")
    created = store(app, "SH009")
    assert (created.name, created.name_en, created.kind, created.region, created.status, created.address) == (
        "上海新天地店", "Shanghai Xintiandi", "direct", "EAST", "planned", "马当路 245 号")

    edit = admin.get("/admin/stores/SH009").get_data(as_text=True)
    assert 'name="code"' not in edit and 'id="open-tasks"' in edit
    response = post(admin, "/admin/stores/SH009", {**NEW_STORE, "code": "SH010", "name": "上海新天地旗舰店",
                                                   "kind": "franchise", "status": "open", "region": "EAST2",
                                                   "owner": " 南京冯氏服饰有限公司 "})
    assert response.status_code == 303
    changed = store(app, "SH009")
    assert (changed.name, changed.kind, changed.status, changed.region, changed.owner) == (
        "上海新天地旗舰店", "franchise", "open", "EAST2", "南京冯氏服饰有限公司")
    assert "南京冯氏服饰有限公司" in admin.get("/admin/stores/SH009").get_data(as_text=True)
    cleared = post(admin, "/admin/stores/SH009", {**NEW_STORE, "kind": "franchise", "owner": ""})
    assert cleared.status_code == 303
    assert store(app, "SH009").owner is None  # no owner recorded: the store is its own
    assert store(app, "SH010") is None  # the code cannot be changed


@pytest.mark.parametrize("change, bad_field", [
    ({"code": "sh009"}, "code"), ({"code": "SH001"}, "code"), ({"code": ""}, "code"), ({"name": ""}, "name"),
    ({"region": ""}, "region"), ({"kind": "joint"}, "kind"), ({"status": ""}, "status"),
    ({"address": "长" * 201}, "address"), ({"owner": "冯氏"}, "owner"),  # a direct store is the brand's
    ({"kind": "franchise", "owner": "长" * 65}, "owner"),
])
def test_creating_a_store_with_bad_input_is_refused(app, admin, change, bad_field):
    response = post(admin, "/admin/stores/new", {**NEW_STORE, **change})
    assert response.status_code == 422 and bad_field in error_ids(response)
    assert store(app, "SH009") is None
    assert store(app, "SH001").name == "上海南京路店"


def test_a_refused_store_edit_changes_nothing(app, admin):
    response = post(admin, "/admin/stores/SH001", {"name": "", "region": "EAST", "kind": "outlet",
                                                   "status": "open"})
    assert response.status_code == 422 and {"name", "kind"} <= error_ids(response)
    after = store(app, "SH001")
    assert (after.name, after.kind, after.status) == ("上海南京路店", "direct", "open")


def test_a_new_store_can_be_given_to_a_store_manager(app, admin):
    assert post(admin, "/admin/stores/new", NEW_STORE).status_code == 303
    target = user_id(app, "manager_sh003")
    response = post(admin, f"/admin/users/{target}", {
        "display_name": "新天地店长", "locale": "zh_CN", "active": "1",
        "roles-0-role": "store_manager", "roles-0-store_code": "SH009"})
    assert response.status_code == 303
    assert user(app, "manager_sh003").grants == {Grant("store_manager", "SH009")}


def test_a_renamed_store_is_shown_by_its_new_name_elsewhere(app, client, auth):
    """Store names come from the table the admin keeps, not from the demo catalogue."""
    from webapp.ui.names import store_name
    with app.test_request_context():
        assert store_name("SH001") == "上海南京路店"
    with app.app_context():
        db.session.get(Store, "SH001").name = "上海南京东路旗舰店"
        db.session.commit()
    with app.test_request_context():
        assert store_name("SH001") == "上海南京东路旗舰店" and store_name("XX9") == "XX9"
