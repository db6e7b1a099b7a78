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
    return kind


def shows_message(entry: Any) -> bool:
    """Whether the entry's message is a reason or note to show (an outcome's is in its sentence)."""
    return bool(entry.message) and entry.kind not in ("outcome", "finished")
