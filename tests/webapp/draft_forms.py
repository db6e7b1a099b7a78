"""What the draft editors' pages carry back with a save or a publish, read from their HTML."""
from __future__ import annotations

import html
import re


def opened(client, path: str) -> dict[str, str]:
    """What an editor page carries back with its save: its CSRF token, version and file revision."""
    page = client.get(path).get_data(as_text=True)
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', page) for name in ("csrf_token", "version",
                                                                                   "revision")}
    assert all(found.values()), found
    return {name: m.group(1) for name, m in found.items()}


def publish_form(client, model: str = "/admin/models/complaint_handling") -> dict[str, object]:
    """The publish form of the draft's panel as the model page shows it: CSRF token and the draft's
    (file, revision) pairs it was shown."""
    page = client.get(model).get_data(as_text=True)
    panel = page.split('id="draft-panel"', 1)[1] if 'id="draft-panel"' in page else ""
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "seen": [html.unescape(v) for v in re.findall(r'name="seen" value="([^"]+)"', panel)]}
