"""The dashboard's menu entry, its readers (the analyst everywhere, a store manager in their store)
and its drill-down: every figure leads to the case list filtered to it, showing the same cases."""
from __future__ import annotations

import html as markup
import json
import re

from tests.webapp import test_dashboard
from tests.webapp.conftest import csrf_token
from tests.webapp.test_dashboard import charts, page

story = test_dashboard.story  # the fixture: three cases, two open steps overdue

MENU = re.compile(r'class="nav-link[^"]*" href="/dashboard"')


def case_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {int(i) for i in re.findall(r'data-case-id="(\d+)"', response.get_data(as_text=True))}


def terminate(client, case_id: int):
    return client.post(f"/cases/{case_id}/terminate",
                       data={"reason": "试试", "csrf_token": csrf_token(client, "/cases")})


def links(data: dict, key: str) -> list[str]:
    return [link for s in data[key]["series"] for link in s.get("links", []) if link]


def test_the_menu_shows_the_dashboard_only_to_who_may_open_it(client, auth):
    for user, shown in (("cs_li", False), ("merch_zhao", False), ("finance_wu", False), ("director", True),
                        ("analyst_zheng", True), ("manager_sh001", True), ("supervisor_east", True)):
        auth.login(user)
        body = client.get("/cases").get_data(as_text=True)
        assert bool(MENU.search(body)) is shown, user
        assert client.get("/dashboard").status_code == (200 if shown else 403), user
        auth.logout()


def test_a_store_manager_reads_their_own_store_and_may_not_act(client, auth, story):
    auth.login("manager_sh002")
    board = page(client)
    assert re.search(r'data-kpi="started">1<', board) and re.search(r'data-kpi="open">1<', board)
    stores = charts(board)["open_by_store"]["labels"]
    assert [s.split()[0] for s in stores] == ["SH002"]
    listing = client.get("/cases").get_data(as_text=True)
    assert len(re.findall(r'data-case-id="\d+"', listing)) == 1
    assert 'id="bulk-action"' not in listing  # reading is not overseeing
    [mine] = case_ids(client, "/cases")
    assert client.get(f"/cases/{mine}").status_code == 200
    assert terminate(client, mine).status_code == 403


def test_the_analyst_reads_every_case_but_may_not_act(client, auth, story):
    auth.login("analyst_zheng")
    assert re.search(r'data-kpi="started">3<', page(client))
    listing = client.get("/cases").get_data(as_text=True)
    assert len(re.findall(r'data-case-id="\d+"', listing)) == 3
    assert 'id="bulk-action"' not in listing
    assert client.get("/cases/1").status_code == 200
    assert terminate(client, 1).status_code == 403


def test_a_reader_may_not_comment_and_nothing_is_added(client, auth, story):
    auth.login("analyst_zheng")
    before = client.get("/cases/1").get_data(as_text=True)
    assert 'id="comment-form"' not in before
    refused = client.post("/cases/1/comments",
                          data={"body": "看一下 @cs_li", "csrf_token": csrf_token(client, "/cases")})
    assert refused.status_code == 403
    assert "看一下" not in client.get("/cases/1").get_data(as_text=True)


def test_every_chart_leads_to_the_case_list_filtered_to_what_was_clicked(client, auth, story):
    auth.login("director")
    data = charts(page(client))
    for key in ("open_by_role", "open_by_store", "by_status", "cycle_times", "step_times", "sla", "weekly"):
        assert links(data, key), key
        for link in links(data, key):
            assert link.startswith("/cases?") or link == "/cases", link
    by_status = data["by_status"]
    for series in by_status["series"]:
        for n, link in zip(series["data"], series["links"]):
            assert len(case_ids(client, link)) == n, (series["key"], link)
    overdue_by_store = dict(zip(data["open_by_store"]["labels"], data["open_by_store"]["series"][1]["links"]))
    sh002 = next(link for label, link in overdue_by_store.items() if label.startswith("SH002"))
    assert "store=SH002" in sh002 and "overdue=yes" in sh002 and "status=running" in sh002
    assert len(case_ids(client, sh002)) == 1
    overdue_by_role = data["open_by_role"]["series"][1]["links"]
    assert sum(len(case_ids(client, link)) for link in overdue_by_role if link) == 2
    role_link = next(link for link in overdue_by_role if "role=cs_agent" in link)
    assert "客服专员" in client.get(role_link).get_data(as_text=True)  # the list says what it is filtered to
    [week] = data["weekly"]["series"][0]["links"]
    assert len(case_ids(client, week)) == 3
    [finished] = data["weekly"]["series"][1]["links"]
    assert "ended_start=" in finished and "ended_end=" in finished
    assert len(case_ids(client, finished)) == data["weekly"]["series"][1]["data"][0] == 1
    [completed] = data["cycle_times"]["series"][0]["links"]
    assert len(case_ids(client, completed)) == 1


def test_the_tables_link_their_counts_to_the_same_lists(client, auth, story):
    auth.login("director")
    body = page(client, "?process=complaint_handling")
    hrefs = [markup.unescape(h) for h in re.findall(r'<a href="([^"]+)" data-drill>', body)]
    assert hrefs and all("process=complaint_handling" in h for h in hrefs if "role=" not in h)
    data = charts(body)
    assert json.dumps(data)  # links are plain strings the chart script follows
    for href in hrefs:
        assert client.get(href).status_code == 200
