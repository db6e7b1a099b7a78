"""An engine refusal (not found, not allowed, not now) in the person's language.

The engine words NotFound, PermissionDenied, Conflict and TooSoon in English for logs and tests. The
API's `message` is for people, so each wording the engine uses is matched here and told in the
person's language, keeping the ids and names it quotes; a status is named as the lists name it. A
wording not (yet) known falls back to a plain sentence for its kind of refusal, never to English.
"""
from __future__ import annotations

from flask_babel import gettext as _

from engine.errors import Conflict, EngineError, NotFound, PermissionDenied, TooSoon

from .names import status_name, task_state_name
from .wordings import told, wordings

_ID = r"(?P<id>\d+)"
_WHO = r"(?P<who>\S+)"


def _things() -> dict[str, str]:
    return {"task": _("Task"), "case": _("Case"), "attachment": _("Attachment"), "filter": _("Saved filter"),
            "robot": _("Robot"), "notification": _("Notification"), "message": _("Message"),
            "user": _("User"), "store": _("Store"), "process version": _("Process version"),
            "schedule": _("Schedule")}


def _state(word: str) -> str:
    return task_state_name(word) if word in ("open", "completed", "cancelled") else status_name(word)


_WORDINGS = wordings(
    # not found
    (r"^(?P<thing>task|case|attachment|filter|robot|notification|message|user|store|process version|"
     r"schedule) "
     r"'?(?P<id>[^' ]+)'? (?:does not exist|not found)",
     lambda m: _("%(thing)s %(id)s does not exist.", thing=_things()[m["thing"]], id=m["id"])),
    (rf"^incident (?P<incident>\d+) of case {_ID} does not exist",
     lambda m: _("Incident %(incident)s of case %(id)s does not exist.", incident=m["incident"], id=m["id"])),
    (r"^no process '?(?P<key>[^' ]+)'? is deployed",
     lambda m: _("No process %(key)s is deployed.", key=m["key"])),
    (r"^no process '?(?P<key>[^' ]+)'? that you may start",
     lambda m: _("There is no process %(key)s that you may start.", key=m["key"])),
    (rf"^the model of case {_ID} is not stored",
     lambda m: _("The model of case %(id)s is not stored.", id=m["id"])),
    (r"^(?P<key>\S+) has no version (?P<version>\d+)$",
     lambda m: _("%(key)s has no version %(version)s.", key=m["key"], version=m["version"])),
    (r"^(?P<key>\S+) version (?P<version>\d+) has no file '?(?P<file>[^']+)'?",
     lambda m: _("Version %(version)s of %(key)s has no file %(file)s.", version=m["version"], key=m["key"],
                 file=m["file"])),
    # not allowed
    (rf"^{_WHO} may not (?P<act>complete|reassign|release|take|work on) task {_ID}",
     lambda m: {"complete": _("%(who)s may not complete task %(id)s."),
                "reassign": _("%(who)s may not reassign task %(id)s."),
                "release": _("%(who)s may not release task %(id)s."),
                "take": _("%(who)s may not take task %(id)s."),
                "work on": _("%(who)s may not work on task %(id)s.")}[m["act"]]
     % {"who": m["who"], "id": m["id"]}),
    (rf"^{_WHO} may not send task {_ID} back", lambda m: _("%(who)s may not send task %(id)s back.",
                                                           who=m["who"], id=m["id"])),
    (rf"^{_WHO} may not transfer task {_ID}: it is not theirs",
     lambda m: _("%(who)s may not transfer task %(id)s: it is not theirs.", who=m["who"], id=m["id"])),
    (rf"^{_WHO} may not start a case for store (?P<store>\S+)",
     lambda m: _("%(who)s may not start a case for store %(store)s.", who=m["who"], store=m["store"])),
    (rf"^{_WHO} may not start (?P<key>\S+)",
     lambda m: _("%(who)s may not start %(key)s.", who=m["who"], key=m["key"])),
    (rf"^{_WHO} may not act on case {_ID}", lambda m: _("%(who)s may not act on case %(id)s.", who=m["who"],
                                                         id=m["id"])),
    (rf"^{_WHO} does not hold task {_ID}", lambda m: _("%(who)s does not hold task %(id)s.", who=m["who"],
                                                        id=m["id"])),
    (rf"^{_WHO} supervises no cases", lambda m: _("%(who)s supervises no cases.", who=m["who"])),
    (rf"^{_WHO} takes no part in case {_ID}",
     lambda m: _("%(who)s takes no part in case %(id)s.", who=m["who"], id=m["id"])),
    (rf"^{_WHO} was not asked to approve task {_ID}",
     lambda m: _("%(who)s was not asked to approve task %(id)s.", who=m["who"], id=m["id"])),
    (rf"^{_WHO} may not deliver messages", lambda m: _("%(who)s may not deliver messages.", who=m["who"])),
    (r"^no running case waits for message '?(?P<name>[^' ]*)'? with this correlation",
     lambda m: _("No running case waits for message %(name)s with this correlation.", name=m["name"])),
    (rf"^{_WHO} is not an administrator", lambda m: _("%(who)s is not an administrator.", who=m["who"])),
    (rf"^{_WHO} may not set another person's away period",
     lambda m: _("%(who)s may not set another person's away period.", who=m["who"])),
    (rf"^attachment {_ID} is not yours to attach", lambda m: _("Attachment %(id)s is not yours to attach.",
                                                               id=m["id"])),
    (rf"^case {_ID} has ended; no more files can be added",
     lambda m: _("Case %(id)s has ended; no more files can be added.", id=m["id"])),
    (r"^the case has ended; its files are kept", lambda m: _("The case has ended; its files are kept.")),
    (r"^only the person who added a file may remove it",
     lambda m: _("Only the person who added a file may remove it.")),
    (rf"^only the starter may withdraw case {_ID}",
     lambda m: _("Only the starter may withdraw case %(id)s.", id=m["id"])),
    (rf"^only the starter or a supervisor of case {_ID} may urge its steps",
     lambda m: _("Only the starter or a supervisor of case %(id)s may urge its steps.", id=m["id"])),
    (r"^reading a case is not taking part in it.*",
     lambda m: _("Reading a case is not taking part in it: those who take part, started it, were cc'd on it "
                 "or oversee it may comment.")),
    # not now
    (rf"^task {_ID} is (?:already )?claimed by {_WHO}",
     lambda m: _("Task %(id)s is already taken by %(who)s.", id=m["id"], who=m["who"])),
    (rf"^task {_ID} is already (?P<state>\w+)",
     lambda m: _("Task %(id)s is already %(state)s.", id=m["id"], state=_state(m["state"]))),
    (rf"^task {_ID} was completed or taken by someone else; reload",
     lambda m: _("Task %(id)s was completed or taken by someone else; reload the page.", id=m["id"])),
    (rf"^task {_ID} is a step of the process, not an approval; complete it",
     lambda m: _("Task %(id)s is a step of the process, not an approval: complete it.", id=m["id"])),
    (rf"^task {_ID} is an approval asked of its holder: it is decided, not handed on",
     lambda m: _("Task %(id)s is an approval asked of its holder: it is decided, not handed on.",
                 id=m["id"])),
    (rf"^task {_ID} is not claimed, or waits on the approvers its holder asked",
     lambda m: _("Task %(id)s is not taken, or waits on the approvers its holder asked.", id=m["id"])),
    (rf"^task {_ID} waits on the approvers its holder asked.*",
     lambda m: _("Task %(id)s waits on the approvers its holder asked.", id=m["id"])),
    (r"^the approvers you asked before you have not all agreed yet \((?P<who>.*)\)",
     lambda m: _("The approvers you asked before you have not all agreed yet (%(who)s).", who=m["who"])),
    (rf"^the task approval {_ID} was asked for is closed",
     lambda m: _("The task approval %(id)s was asked for is closed.", id=m["id"])),
    (r"^the task is already submitted and waits on its approvers",
     lambda m: _("The task is already submitted and waits on its approvers.")),
    (r"^the task is (?P<state>\w+), not ready; reload",
     lambda m: _("The step is not ready (%(state)s); reload the page.", state=m["state"])),
    (r"^the task no longer exists in the case; reload",
     lambda m: _("The step no longer exists in the case; reload the page.")),
    (r"^approvers are asked on a step of the process, not on an approval",
     lambda m: _("Approvers are asked on a step of the process, not on an approval.")),
    (rf"^case {_ID} cannot move to version (?P<version>\d+): (?P<detail>.*)",
     lambda m: _("Case %(id)s cannot move to version %(version)s (%(detail)s).", id=m["id"],
                 version=m["version"], detail=m["detail"])),
    (rf"^case {_ID} is (?P<status>\w+), not stopped on an incident",
     lambda m: _("Case %(id)s is %(status)s, not stopped on an incident.", id=m["id"],
                 status=status_name(m["status"]))),
    (rf"^case {_ID} is (?P<status>\w+); only a running or suspended case can be withdrawn",
     lambda m: _("Case %(id)s is %(status)s; only a running or suspended case can be withdrawn.", id=m["id"],
                 status=status_name(m["status"]))),
    (rf"^case {_ID} is (?:already )?(?P<status>\w+)",
     lambda m: _("Case %(id)s is %(status)s.", id=m["id"], status=status_name(m["status"]))),
    (rf"^case {_ID} has no open task {_WHO} may take",
     lambda m: _("Case %(id)s has no open task %(who)s may take.", id=m["id"], who=m["who"])),
    (rf"^case {_ID} has passed “(?P<step>.*)”, after which it cannot be withdrawn",
     lambda m: _("Case %(id)s has passed “%(step)s”, after which it cannot be withdrawn.", id=m["id"],
                 step=m["step"])),
    (rf"^case {_ID} is not waiting for message '?(?P<name>[^']+)'?",
     lambda m: _("Case %(id)s is not waiting for message %(name)s.", id=m["id"], name=m["name"])),
    (rf"^case {_ID} is stopped on an incident; an administrator retries or resolves it",
     lambda m: _("Case %(id)s is stopped on an incident; an administrator retries or resolves it.",
                 id=m["id"])),
    (rf"^robot {_ID}: its rate limit is reached, try again in (?P<seconds>\d+) s(?: \(.*\))?",
     lambda m: _("Robot %(id)s has sent as many messages as its group takes this minute; try again in "
                 "%(seconds)s seconds.", id=m["id"], seconds=m["seconds"])),
    (rf"^case {_ID} is being changed by someone else; try again",
     lambda m: _("Case %(id)s is being changed by someone else; try again.", id=m["id"])),
    (rf"^case {_ID} was changed by someone else; reload and try again",
     lambda m: _("Case %(id)s was changed by someone else; reload the page and try again.", id=m["id"])),
    (rf"^case {_ID} is seeded history without a workflow to change",
     lambda m: _("Case %(id)s is seeded history without a workflow to change.", id=m["id"])),
    (rf"^only a running case can be suspended; case {_ID} is (?P<status>\w+)",
     lambda m: _("Only a running case can be suspended; case %(id)s is %(status)s.", id=m["id"],
                 status=status_name(m["status"]))),
    (rf"^only a suspended or failed case can be resumed; case {_ID} is (?P<status>\w+)",
     lambda m: _("Only a suspended or failed case can be resumed; case %(id)s is %(status)s.", id=m["id"],
                 status=status_name(m["status"]))),
    (rf"^schedule {_ID} is already paused",
     lambda m: _("Schedule %(id)s is already paused.", id=m["id"])),
    (rf"^schedule {_ID} is not paused", lambda m: _("Schedule %(id)s is not paused.", id=m["id"])),
    (r"^incident (?P<id>\d+) is already (?P<status>\w+)",
     lambda m: _("Incident %(id)s is already %(status)s.", id=m["id"], status=m["status"])),
    (rf"^message {_ID} is (?P<status>\w+); only a failed message is sent again",
     lambda m: _("Message %(id)s is %(status)s; only a failed message is sent again.", id=m["id"],
                 status=m["status"])),
    (r"^process (?P<key>\S+) is retired and starts no new cases",
     lambda m: _("The process %(key)s is retired and starts no new cases.", key=m["key"])),
    (r"^process (?P<key>\S+) is already retired",
     lambda m: _("The process %(key)s is already retired.", key=m["key"])),
    (r"^process (?P<key>\S+) is not retired",
     lambda m: _("The process %(key)s is not retired.", key=m["key"])),
    (r"^you urged this step less than an hour ago; you may urge it again in (?P<n>\d+) minutes",
     lambda m: _("You urged this step less than an hour ago; you can urge it again in %(n)s minutes.",
                 n=m["n"])),
    (r"^(?P<key>\S+): the draft is based on version (?P<base>\d+), but version (?P<latest>\d+) was deployed "
     r"since; discard the draft",
     lambda m: _("Version %(latest)s was deployed after this draft was started from version %(base)s, so it "
                 "can no longer be published. Discard it and make the changes again on the newest version.",
                 latest=m["latest"], base=m["base"])),
    (r"^(?P<key>\S+) has no draft", lambda m: _("%(key)s has no draft.", key=m["key"])),
    (r"^(?P<key>\S+): version (?P<latest>\d+) was deployed after version (?P<opened>\d+) was opened; "
     r"open version \d+ and make the change again",
     lambda m: _("Version %(latest)s of %(key)s was deployed after version %(opened)s was opened; open "
                 "version %(latest)s and make the change again.", key=m["key"], latest=m["latest"],
                 opened=m["opened"])),
)


def known_wording(message: str) -> str | None:
    """The message in the person's language if the engine's wording is known here."""
    return told(_WORDINGS, message)


def denial_text(exc: EngineError) -> str:
    known = known_wording(exc.message)
    if known is not None:
        return known
    if isinstance(exc, NotFound):
        return _("It does not exist, or you may not see it.")
    if isinstance(exc, PermissionDenied):
        return _("Your roles do not allow this.")
    if isinstance(exc, TooSoon):
        return _("Too soon; please try again later.")
    if isinstance(exc, Conflict):
        return _("This cannot be done now: the case or task has changed. Reload and try again.")
    return exc.message
