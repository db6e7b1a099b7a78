"""A command's refusal of its input (InvalidData that is not a form's) in the person's language.

The engine words these in English, and names each refused field with a short code ("required",
"too_long", "at most 2000 characters"). An API client may branch on the `error` code; `message` and
the `fields` texts are for people, so both are told here in the person's language, keeping the names
and numbers they quote. A wording not known here is kept as it is.
"""
from __future__ import annotations

from typing import Mapping

from flask_babel import gettext as _

from .wordings import told, wordings

_MESSAGES = wordings(
    (r"^a comment needs text", lambda m: _("A comment needs text.")),
    (r"^a filter needs a name", lambda m: _("A saved filter needs a name.")),
    (r"^a reason is required", lambda m: _("Give a reason.")),
    (r"^a username of 1 to 64 characters is required",
     lambda m: _("A username of 1 to 64 characters is required.")),
    (r"^a (?P<field>\w+) is required", lambda m: _("%(field)s is required.", field=m["field"])),
    (r"^already asked: (?P<who>.+)", lambda m: _("Already asked: %(who)s.", who=m["who"])),
    (r"^an administrator may not deactivate themselves",
     lambda m: _("An administrator may not deactivate their own account.")),
    (r"^at most (?P<n>\d+) approvers at once", lambda m: _("At most %(n)s approvers at once.", n=m["n"])),
    (r"^at most (?P<n>\d+) (?P<what>cases|tasks) at once",
     lambda m: (_("At most %(n)s cases at once.") if m["what"] == "cases"
                else _("At most %(n)s tasks at once.")) % {"n": m["n"]}),
    (r"^select at least one of the (?P<what>cases|tasks)",
     lambda m: _("Select at least one case.") if m["what"] == "cases" else _("Select at least one task.")),
    (r"^choose who gets the tasks?", lambda m: _("Choose who gets the task.")),
    (r"^decision must be approve or reject", lambda m: _("The decision must be approve or reject.")),
    (r"^invalid list parameters", lambda m: _("The list parameters are not valid.")),
    (r"^invalid notification preferences", lambda m: _("The notification preferences are not valid.")),
    (r"^preferences must be an object", lambda m: _("The preferences must be a JSON object.")),
    (r"^name at least one approver", lambda m: _("Name at least one approver.")),
    (r"^name at least one colleague", lambda m: _("Name at least one colleague.")),
    (r"^position must be before or after", lambda m: _("The position must be before or after.")),
    (r"^store (?P<code>\S+) exists", lambda m: _("Store %(code)s already exists.", code=m["code"])),
    (r"^user (?P<who>\S+) exists", lambda m: _("User %(who)s already exists.", who=m["who"])),
    (r"^store (?P<code>\S+) in (?P<field>\S+) is (?P<status>\w+), not open",
     lambda m: _("Store %(code)s (%(field)s) is not open.", code=m["code"], field=m["field"])),
    (r"^store (?P<code>\S+) is (?P<status>\w+), not (?P<wanted>\w+)",
     lambda m: _("Store %(code)s cannot be chosen for this process.", code=m["code"])),
    (r"^unknown store '?(?P<code>[^' ]+)'? in (?P<field>\S+)",
     lambda m: _("Unknown store %(code)s (%(field)s).", code=m["code"], field=m["field"])),
    (r"^unknown store '?(?P<code>[^' ]+)'?", lambda m: _("Unknown store %(code)s.", code=m["code"])),
    (r"^unknown user:? '?(?P<who>[^']+)'?", lambda m: _("Unknown user: %(who)s.", who=m["who"])),
    (r"^unknown action '?(?P<action>[^']+)'?", lambda m: _("Unknown action %(action)s.", action=m["action"])),
    (r"^the away period was not set: .*", lambda m: _("The away period was not set.")),
    (r"^the colleague must be someone else", lambda m: _("The colleague must be someone else.")),
    (r"^the comment is too long", lambda m: _("The comment is too long.")),
    (r"^the corrected data is too large", lambda m: _("The corrected data is too large.")),
    (r"^the corrected data must be an object", lambda m: _("The corrected data must be a JSON object.")),
    (r"^the corrected data must be plain JSON without NaN or Infinity",
     lambda m: _("The corrected data must be plain JSON without NaN or Infinity.")),
    (r"^the data must be a JSON object", lambda m: _("The data must be a JSON object.")),
    (r"^the draft must be a JSON object", lambda m: _("The draft must be a JSON object.")),
    (r"^the digest time must be HH:MM", lambda m: _("The digest time must be HH:MM.")),
    (r"^the file is larger than (?P<n>\d+) kB", lambda m: _("The file is larger than %(n)s kB.", n=m["n"])),
    (r"^the file is not CSV text", lambda m: _("The file is not CSV text.")),
    (r"^the first row names none of the columns",
     lambda m: _("The first row names none of the form's columns (use their titles as the header).")),
    (r"^the file has more than (?P<n>\d+) rows", lambda m: _("The file has more than %(n)s rows.", n=m["n"])),
    (r"^cells that are not numbers: (?P<cells>.+)",
     lambda m: _("Cells that are not numbers: %(cells)s.", cells=m["cells"])),
    (r"^(?P<field>\S+) cannot be filled from a file",
     lambda m: _("%(field)s cannot be filled from a file.", field=m["field"])),
    (r"^the filter is too large", lambda m: _("The saved filter is too large.")),
    (r"^the holder cannot approve their own task", lambda m: _("The holder cannot approve their own task.")),
    (r"^the name is too long", lambda m: _("The name is too long.")),
    (r"^the note is too long", lambda m: _("The note is too long.")),
    (r"^the password needs at least (?P<n>\d+) characters",
     lambda m: _("The password needs at least %(n)s characters.", n=m["n"])),
    (r"^the reason is too long.*", lambda m: _("The reason is too long.")),
    (r"^the robot was not saved", lambda m: _("The robot was not saved.")),
    (r"^the (?P<field>\w+) is too long", lambda m: _("%(field)s is too long.", field=m["field"])),
    (r"^too many corrected fields", lambda m: _("Too many corrected fields.")),
    (r"^too many people", lambda m: _("Too many people.")),
    (r"^too many saved filters", lambda m: _("Too many saved filters.")),
    (r"^you cannot cc yourself", lambda m: _("You cannot cc yourself.")),
    (r"^(?P<who>\S+) does not hold the role for this task.*",
     lambda m: _("%(who)s does not hold the role for this task.", who=m["who"])),
    (r"^(?P<who>\S+) already holds task (?P<id>\d+)",
     lambda m: _("%(who)s already holds task %(id)s.", who=m["who"], id=m["id"])),
    (r"^(?P<who>\S+) has no open approval on this task",
     lambda m: _("%(who)s has no open approval on this task.", who=m["who"])),
    (r"^(?P<step>\S+) is not an earlier step this task may send the case back to",
     lambda m: _("%(step)s is not an earlier step this task may send the case back to.", step=m["step"])),
    (r"^(?P<key>.+) is not a field name", lambda m: _("%(key)s is not a field name.", key=m["key"])),
    (r"^(?P<what>[\w ]+): (?P<fields>[\w.]+ \w+(?:, [\w.]+ \w+)*)",
     lambda m: _("Not saved: %(fields)s.",
                 fields=", ".join(part.split(" ")[0] for part in m["fields"].split(", ")))),
)

_FIELDS = wordings(
    (r"^required", lambda m: _("Required.")),
    (r"^(?:too_long|too long)", lambda m: _("Too long.")),
    (r"^too_short", lambda m: _("Too short.")),
    (r"^too large", lambda m: _("Too large.")),
    (r"^(?:unknown|invalid)", lambda m: _("Not a valid value.")),
    (r"^taken", lambda m: _("Already taken.")),
    (r"^duplicate", lambda m: _("Given twice.")),
    (r"^not_scoped", lambda m: _("This role is not given for a store or region.")),
    (r"^own_account", lambda m: _("Not for your own account.")),
    (r"^self", lambda m: _("Choose someone else.")),
    (r"^missing_roles", lambda m: _("The deputy must hold your roles in your region.")),
    (r"^not_after_start", lambda m: _("The end must be after the start.")),
    (r"^past", lambda m: _("The end must be in the future.")),
    (r"^unknown user:? ?(?P<who>.*)", lambda m: _("Unknown user %(who)s.", who=m["who"]) if m["who"]
     else _("Unknown user.")),
    (r"^unknown: (?P<who>.+)", lambda m: _("Unknown: %(who)s.", who=m["who"])),
    (r"^unknown store", lambda m: _("Choose a store.")),
    (r"^unknown event kind", lambda m: _("Unknown event kind.")),
    (r"^unknown channel", lambda m: _("Unknown channel.")),
    (r"^store is not open", lambda m: _("This store is not open.")),
    (r"^store must be (?P<status>\w+)", lambda m: _("This store cannot be chosen for this process.")),
    (r"^already taken", lambda m: _("Already taken by someone else.")),
    (r"^already holds the task", lambda m: _("Already holds the task.")),
    (r"^already asked: (?P<who>.+)", lambda m: _("Already asked: %(who)s.", who=m["who"])),
    (r"^not the holder", lambda m: _("Not the holder of the task.")),
    (r"^(?:must be |)an object", lambda m: _("Must be a JSON object.")),
    (r"^an object .*", lambda m: _("Must be a JSON object.")),
    (r"^(?:must be )?true or false", lambda m: _("Must be true or false.")),
    (r"^a time HH:MM", lambda m: _("A time as HH:MM.")),
    (r"^must be approve or reject", lambda m: _("Must be approve or reject.")),
    (r"^must be before or after", lambda m: _("Must be before or after.")),
    (r"^does not hold the role for this task.*", lambda m: _("Does not hold the role for this task.")),
    (r"^has no open approval on this task", lambda m: _("Has no open approval on this task.")),
    (r"^not an earlier step on this task's path", lambda m: _("Not an earlier step on this task's path.")),
    (r"^a list of usernames is required", lambda m: _("A list of usernames is required.")),
    (r"^at least (?P<n>\d+) characters", lambda m: _("At least %(n)s characters.", n=m["n"])),
    (r"^plain JSON values only", lambda m: _("Plain JSON values only.")),
    (r"^field names are identifiers not starting with _",
     lambda m: _("Field names are identifiers not starting with _.")),
    (r"^you cannot cc yourself", lambda m: _("You cannot cc yourself.")),
    (r"^at most (?P<n>\d+) characters", lambda m: _("At most %(n)s characters.", n=m["n"])),
    (r"^at most (?P<n>\d+) bytes", lambda m: _("At most %(n)s bytes.", n=m["n"])),
    (r"^at most (?P<n>\d+)(?: \w+)?", lambda m: _("At most %(n)s.", n=m["n"])),
    (r"^must be between (?P<min>\d+) and (?P<max>\d+)",
     lambda m: _("Must be between %(min)s and %(max)s.", min=m["min"], max=m["max"])),
    (r"^must be (?P<n>\d+) or more", lambda m: _("Must be %(n)s or more.", n=m["n"])),
    (r"^one of (?P<values>.+)", lambda m: _("Must be one of %(values)s.", values=m["values"])),
    (r"^must be one of (?P<values>.+)", lambda m: _("Must be one of %(values)s.", values=m["values"])),
    (r"^out of range", lambda m: _("Out of range.")),
    (r"^must be after the start of the range", lambda m: _("Must be after the start of the range.")),
)


def known_message(message: str) -> str | None:
    return told(_MESSAGES, message)


def known_field(text: str) -> str | None:
    return told(_FIELDS, text)


def command_text(message: str, fields: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The refusal's message and field texts in the person's language, where the wording is known."""
    return (known_message(message) or message,
            {path: known_field(text) or text for path, text in fields.items()})
