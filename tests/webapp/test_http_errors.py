"""Werkzeug's own refusals (no such address, wrong method) in the person's language, API and pages."""
from __future__ import annotations


def test_an_unknown_api_address_answers_in_chinese_by_default(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["message"] == "此地址没有内容。请检查链接，或返回首页。"


def test_and_in_english_when_asked(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert response.get_json()["message"] == \
        "There is nothing at this address. Check the link, or go back to the start page."


def test_a_wrong_method_keeps_its_allow_header_and_is_worded(client):
    response = client.delete("/api/v1/login")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json()["message"] == "此地址不接受该请求方法。"
