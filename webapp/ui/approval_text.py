"""The history's sentences for 加签 / 减签: who asked whom to approve, who was taken off, and each
同意 / 不同意 with its comment, inline in the case's timeline."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext as _

APPROVAL_EVENTS = ("approvers_added", "approver_removed", "approval_decided", "task_submitted")
ICONS = {"approvers_added": "bi-person-plus", "approver_removed": "bi-person-x",
         "approval_decided": "bi-hand-thumbs-up", "task_submitted": "bi-send"}
REJECTED_ICON = "bi-hand-thumbs-down"


def approval_entry(kind: str, who: str, step: str, data: Mapping[str, Any], people: Mapping[str, str],
                   message: str) -> tuple[str, str, str]:
    """(icon, sentence, note) of one approval event; the note is the reason or the comment."""
    def named(names: Any) -> str:
        return "、".join(people.get(n, n) for n in names or [] if isinstance(n, str))

    if kind == "approvers_added":
        text = (_("%(who)s asked %(people)s to approve “%(step)s” first", who=who, step=step,
                  people=named(data.get("usernames"))) if data.get("position") == "before" else
                _("%(who)s asked %(people)s to approve “%(step)s” after them", who=who, step=step,
                  people=named(data.get("usernames"))))
    elif kind == "approver_removed":
        text = _("%(who)s took %(person)s off the approvers of “%(step)s”", who=who, step=step,
                 person=named([data.get("username")]))
    elif kind == "task_submitted":
        text = _("%(who)s completed “%(step)s”; it waits for approval by %(people)s", who=who, step=step,
                 people=named(data.get("usernames")))
    elif data.get("decision") == "approve":
        text = _("%(who)s agreed to “%(step)s”", who=who, step=step)
    else:
        text = _("%(who)s did not agree to “%(step)s”; it goes back to %(holder)s", who=who, step=step,
                 holder=named([data.get("holder")]))
        return REJECTED_ICON, text, message
    return ICONS[kind], text, message


def mentioned(events: Any) -> list[str]:
    """The usernames approval events name besides their actor, whose display names a history needs."""
    names: list[str] = []
    for e in events:
        if e.event_type in APPROVAL_EVENTS and e.data:
            names += [n for n in e.data.get("usernames") or [] if isinstance(n, str)]
            names += [e.data[k] for k in ("username", "holder") if isinstance(e.data.get(k), str)]
    return names
