"""The case page's parts through the test client: the zoom buttons, the open steps with what shows them
in the diagram (a waiting date or message among them), the case actions in one panel the phone's bar
opens; in Chinese and English."""
from __future__ import annotations

from types import SimpleNamespace

from tests.webapp.test_i18n import switch
from webapp.cases.services import CaseDisplay


def test_a_waiting_catch_event_is_listed_with_the_open_steps(app):
    page = SimpleNamespace(
        case=SimpleNamespace(process_key="new_product_launch", version=1),
        tasks=[SimpleNamespace(element_id="launch_promotion")],
        markers=SimpleNamespace(current=["launch_promotion", "wait_sell_through"]),
        element_names={"wait_sell_through": "上市满14天", "launch_promotion": "上市促销"})
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        display = CaseDisplay(page=page, data=[], history=[])  # type: ignore[arg-type]
        assert display.waiting_events == [("wait_sell_through", "上市满14天")]


def test_the_page_has_zoom_buttons_step_links_and_one_actions_panel(api, auth, client):
    from tests.webapp.test_api_tasks import start

    case = start(api)
    [task] = case["open_tasks"]
    auth.login("supervisor_east")
    html = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    for zoom, label in (("in", "放大"), ("out", "缩小"), ("fit", "显示整张流程图")):
        assert f'data-zoom="{zoom}" id="zoom-{zoom}" title="{label}" aria-label="{label}"' in html
    assert f'data-task-id="{task["id"]}" data-element-id="investigate_store"' in html
    assert 'data-focus-element="investigate_store" aria-controls="case-diagram"' in html
    panel = html[html.index('id="case-actions"'):html.index('id="case-data"')]
    for part in ('id="move-cc"', 'id="comment-form"', 'id="supervisor-actions"', 'id="terminate-button"'):
        assert part in panel
    assert html.count('id="comment-form"') == 1  # one copy, whatever the screen
    assert 'data-bs-target="#case-actions"' in html and "案件操作" in html

    switch(client, "en", f"/cases/{case['id']}")
    html = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'aria-label="Zoom in"' in html and 'aria-label="Fit the whole diagram"' in html
    assert ">Case actions<" in html and "Actions</button>" in html


def test_someone_who_only_follows_the_case_gets_the_comment_but_no_supervisor_actions(api, auth, client):
    from tests.webapp.test_api_tasks import start

    case = start(api)
    auth.login("cs_li")
    html = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    panel = html[html.index('id="case-actions"'):html.index('id="case-data"')]
    assert 'id="comment-form"' in panel and 'id="move-withdraw"' in panel
    assert 'id="supervisor-actions"' not in html


def test_a_reader_by_role_gets_no_comment_in_the_panel_nor_in_the_phones_bar(api, auth, client):
    from tests.webapp.test_api_tasks import start

    case = start(api)
    auth.login("analyst_zheng")
    html = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'id="comment-form"' not in html and 'id="case-bar-comment"' not in html
    assert 'id="supervisor-actions"' not in html
    if 'id="case-actions"' not in html:  # nothing to do at all: no sheet, no bar
        assert 'id="case-bar"' not in html
