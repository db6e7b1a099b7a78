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
