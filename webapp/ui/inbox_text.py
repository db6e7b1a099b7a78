"""What an inbox entry says, per kind of notification, in the reader's language."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from .names import outcome_name


def notification_text(entry: Any) -> str:
    """One sentence: what happened and who did it (the step and the case are shown beside it)."""
    who, step = entry.actor_name or entry.actor or "", entry.step or ""
    kind = entry.kind
    if kind == "assigned":
        return _("%(who)s assigned you “%(step)s”", who=who, step=step) if who else \
            _("“%(step)s” is yours to do", step=step)
    if kind == "transferred":
        return _("%(who)s handed “%(step)s” on to you", who=who, step=step)
    if kind == "sent_back":
        return _("%(who)s sent the case back to you at “%(step)s”", who=who, step=step)
    if kind == "approver":
        return _("%(who)s asks you to approve “%(step)s”", who=who, step=step)
    if kind == "urged":
        return _("%(who)s urges “%(step)s”", who=who, step=step)
    if kind == "cc":
        if who:
            return _("%(who)s cc’d you on this case", who=who)
        return _("A process step cc’d you on this case")
    if kind == "outcome":
        return _("Your case ended: %(outcome)s", outcome=outcome_name(entry.message))
    if kind == "finished":
        return _("Your case is finished")
    if kind == "withdrawn":
        return _("%(who)s withdrew the case", who=who)
    if kind == "terminated":
        return _("%(who)s terminated the case", who=who)
    if kind == "claimable":
        many = _count(entry.message)
        if many > 1:
            return _("%(n)d new tasks are waiting to be claimed, the first “%(step)s”", n=many, step=step)
        return _("“%(step)s” is waiting for someone to claim it", step=step)
    if kind == "due_soon":
        return _("“%(step)s” is due soon", step=step)
    if kind == "overdue":
        return _("“%(step)s” is overdue", step=step)
    if kind == "mentioned":
        return _("%(who)s mentioned you in a comment", who=who)
    if kind == "digest":
        open_, overdue = (entry.message.split("/") + ["0"])[:2]
        return _("Your to-do list today: %(open)d open, %(overdue)d overdue", open=_count(open_),
                 overdue=_count(overdue))
    return kind


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def notification_kind_name(kind: str) -> str:
    """The name of a kind of event on the preferences page."""
    names = {
        "assigned": _("A step is assigned to me"),
        "transferred": _("A step is handed on to me"),
        "sent_back": _("A case is sent back to me"),
        "approver": _("I am asked to approve"),
        "claimable": _("New tasks I may claim (at most one message a minute)"),
        "due_soon": _("My step is due soon"),
        "overdue": _("My step is overdue"),
        "urged": _("I am urged"),
        "cc": _("I am cc’d on a case"),
        "mentioned": _("I am @mentioned in a comment"),
        "outcome": _("My case ended with an outcome"),
        "finished": _("My case is finished"),
        "withdrawn": _("A case is withdrawn"),
        "terminated": _("A case is terminated"),
        "digest": _("Daily to-do digest"),
    }
    return names.get(kind, kind)


def shows_message(entry: Any) -> bool:
    """Whether the entry's message is a reason or note to show (an outcome's is in its sentence)."""
    return bool(entry.message) and entry.kind not in ("outcome", "finished", "claimable", "digest")
