"""The modeler's `outcome` field is a pick list of the catalogue's outcome words (named in the person's
language), with an empty choice, and says how an unknown word from the file is shown
(static/modeler-panel.js keeps it as an option of its own: tests/browser/test_modeler_outcome_browser.py)."""
from __future__ import annotations

import re

from workflows.registry import OUTCOMES

from .conftest import csrf_token

EDIT = "/admin/models/complaint_handling/edit"


def _outcome_select(html: str) -> str:
    found = re.search(r'<select[^>]*id="prop-outcome"[^>]*>(.*?)</select>', html, re.S)
    assert found, "the outcome field is a pick list"
    return found.group(0)


def test_the_outcome_is_picked_from_the_known_words(client, auth):
    auth.login("admin")
    select = _outcome_select(client.get(EDIT).get_data(as_text=True))
    assert re.findall(r'<option value="([^"]*)"', select) == ["", *OUTCOMES]
    assert "已结案 (closed)" in select and 'data-property="outcome"' in select
    assert 'data-unknown="%s（未登记的结果）"' in select


def test_in_english_the_words_have_english_names(client, auth):
    auth.login("admin")
    client.post("/account/language", data={"csrf_token": csrf_token(client, "/tasks"), "locale": "en"})
    select = _outcome_select(client.get(EDIT).get_data(as_text=True))
    assert "Closed (closed)" in select and 'data-unknown="%s (not a known outcome)"' in select
