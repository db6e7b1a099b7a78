"""A decision button's post turned into the form's own fields.

The buttons (in the phone's bar, at the top of the form's actions, on the task list) post the chosen
value as `_decision` and the comment typed in their sheet as `_decision_note`: names no form field
can have, so a radio or textarea of the form itself never shadows them. Here they become the
decision field and its comment, and the submission is checked like any other.
"""
from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict

from engine.queries import DecisionOffer

DECISION = "_decision"
NOTE = "_decision_note"


def with_decision(form: Any, offer: DecisionOffer | None) -> Any:
    """The posted form with the chosen decision (and a comment typed in its sheet) in the form's
    fields; unchanged when no decision button was used or the form offers none."""
    token = form.get(DECISION)
    if offer is None or token is None or offer.choice(token) is None:
        return form
    merged = MultiDict(form)
    merged.setlist(offer.field, [token])
    note = next((n.strip() for n in form.getlist(NOTE) if n.strip()), "")
    if note and offer.comment_field:
        merged.setlist(offer.comment_field, [note])
    return merged


def wants_json() -> bool:
    """The list's script posts a decision and stays on the list: it asks for JSON, not a page."""
    return request.accept_mimetypes.best == "application/json"


def back_to(form: Any, default: str) -> str:
    """Where a decision taken on the list returns: the list as it was (`next`, a path of this site)."""
    target = form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default
