"""Why a case can or cannot move to another version, in the person's language (the admin page and
the API's migration answers say the same)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.bpmn import CHANGED_KIND, NO_SUBPROCESS, PASSED_REMOVED, REMOVED, Blocker
from engine.runtime import CONFLICT, FAILED, NOT_ON_VERSION, NOT_RUNNING, CaseMove


def blocker_text(blocker: Blocker, version: int) -> str:
    step = blocker.name or blocker.element
    texts = {
        REMOVED: lambda: _("“%(step)s” (%(id)s), which the case waits on, is not in version %(version)s: "
                           "map it to a step of that version.", step=step, id=blocker.element,
                           version=version),
        CHANGED_KIND: lambda: _("“%(step)s” (%(id)s) is another kind of element in version %(version)s: "
                                "map it to a step of the same kind.", step=step, id=blocker.element,
                                version=version),
        PASSED_REMOVED: lambda: _("The case has passed “%(step)s” (%(id)s), which version %(version)s no "
                                  "longer has: map it to an element of that version.", step=step,
                                  id=blocker.element, version=version),
        NO_SUBPROCESS: lambda: _("Version %(version)s does not call the sub-process %(id)s the case is in.",
                                 id=blocker.element, version=version),
    }
    text = texts.get(blocker.reason)
    return text() if text else blocker.reason


def refused_text(code: str, from_version: int, error: str = "") -> str:
    texts = {NOT_ON_VERSION: lambda: _("The case is not on version %(version)s.", version=from_version),
             FAILED: lambda: _("The model failed as the moved case ran on; the case stays where it was: "
                               "%(error)s", error=error),
             NOT_RUNNING: lambda: _("The case has ended; only running cases move."),
             CONFLICT: lambda: _("The case was changed by someone else meanwhile; try again.")}
    text = texts.get(code)
    return text() if text else code


def case_move_dict(move: CaseMove, from_version: int, to_version: int) -> dict[str, Any]:
    """One case of a migration as the API answers it (and the admin page lists it)."""
    reasons = [blocker_text(b, to_version) for b in move.blockers]
    if move.refused:
        reasons.insert(0, refused_text(move.refused, from_version, move.error))
    return {"instance_id": move.instance_id, "business_key": move.business_key, "title": move.title,
            "waiting": [{"element_id": e, "name": n} for e, n in move.waiting],
            "movable": move.movable, "moved": move.moved, "refused": move.refused,
            "blockers": [{"element_id": b.element, "name": b.name, "reason": b.reason}
                         for b in move.blockers],
            "reasons": reasons}
