"""The admin area: only administrators get in; the landing page says what there is to administer."""
from __future__ import annotations


def test_only_administrators_get_into_the_admin_area(client, auth):
    assert client.get("/admin/").status_code == 302  # to the login page
    auth.login("director")
    assert client.get("/admin/").status_code == 403
    html = client.get("/tasks").get_data(as_text=True)
    assert 'href="/admin/"' not in html
    auth.logout()
    auth.login("admin")
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/admin/"' in html


def test_the_landing_page_shows_the_latest_changes(client, auth):
    import re
    auth.login("admin")
    assert 'id="admin-changes"' not in client.get("/admin/").get_data(as_text=True)
    html = client.get("/admin/stores/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/admin/stores/new", data={
        "csrf_token": token, "code": "HZ002", "name": "杭州西湖店",
        "region": "EAST", "kind": "direct", "status": "planned"})
    assert response.status_code == 303
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-kind="store_created"' in html and "HZ002" in html and "admin" in html
