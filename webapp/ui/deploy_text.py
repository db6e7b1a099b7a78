"""Why a model upload was refused, in the administrator's language.

The engine words a DeployError in English as "<where>: <reason>" (engine/bpmn: deploy, specs,
versions). The place (file, line, element) and the names it quotes stay as they are; the reason is
translated when it is one the engine gives, else shown in English, so nothing is ever lost.
"""
from __future__ import annotations

import re
from typing import Callable

from flask_babel import gettext as _

_Reason = Callable[[re.Match[str]], str]

_REASONS: tuple[tuple[re.Pattern[str], _Reason], ...] = tuple((re.compile(p), f) for p, f in (
    (r"^choose at least one \.bpmn, \.dmn or \.json file$",
     lambda m: _("Choose at least one .bpmn, .dmn or .json file.")),
    (r"^only \.bpmn, \.dmn and \.json files with plain names .*$",
     lambda m: _("Only .bpmn, .dmn and .json files with plain names (letters, digits, _ . -) can be "
                 "deployed.")),
    (r"^chosen twice$", lambda m: _("Chosen twice.")),
    (r"^larger than (?P<mb>\d+) MB$", lambda m: _("Larger than %(mb)s MB.", mb=m["mb"])),
    (r"^not UTF-8 text \(byte (?P<byte>\d+)\)$",
     lambda m: _("Not UTF-8 text (byte %(byte)s).", byte=m["byte"])),
    (r"^not well-formed XML: (?P<detail>.*)$",
     lambda m: _("Not well-formed XML (%(detail)s).", detail=m["detail"])),
    (r"^invalid JSON: (?P<detail>.*)$", lambda m: _("Invalid JSON (%(detail)s).", detail=m["detail"])),
    (r"^form '(?P<form>[^']+)' not found.*$", lambda m: _("Form %(form)s not found.", form=m["form"])),
    (r"^user task is in no lane.*$",
     lambda m: _("The user task is in no lane (the lane names the role that does it).")),
    (r"^no executable process with id '(?P<key>[^']+)'$",
     lambda m: _("No executable process with id %(key)s.", key=m["key"])),
    (r"^lane '(?P<lane>[^']+)' is not a role \(roles: (?P<roles>.*)\)$",
     lambda m: _("Lane %(lane)s is not a role (roles: %(roles)s).", lane=m["lane"], roles=m["roles"])),
    (r"^not used by (?P<keys>.+); a form or decision table must be named in the process's model$",
     lambda m: _("Not used by %(keys)s: a form or decision table must be named in the process's model.",
                 keys=m["keys"])),
    (r"^decision '(?P<decision>[^']+)' is called but no \.dmn file .*defines it$",
     lambda m: _("Decision %(decision)s is called but no .dmn file defines it.", decision=m["decision"])),
    (r"^the file must hold a process with id '(?P<key>[^']+)' \(found (?P<found>.*)\)$",
     lambda m: _("The file must hold a process with id %(key)s (found: %(found)s).", key=m["key"],
                 found=m["found"])),
    (r"^choose the process's \.bpmn file too.*$",
     lambda m: _("Choose the process's .bpmn file too, or upload this file on the page of the process it "
                 "belongs to.")),
    (r"^this page deploys process '(?P<key>[^']+)' only \(its file is (?P<file>.+)\)$",
     lambda m: _("This page deploys process %(key)s only (its file is %(file)s).", key=m["key"],
                 file=m["file"])),
))
_WHERE = re.compile(r"^(?P<file>[^,]+)(?:, line (?P<line>\d+))?(?:, element (?P<element>\S+))?$")


def deploy_error_text(message: str) -> str:
    """The engine's refusal with its reason in the person's language."""
    where, sep, reason = message.partition(": ")
    if not sep or where.startswith(("choose ", "only ", "not ")):
        where, reason = "", message
    for pattern, word in _REASONS:
        found = pattern.match(reason)
        if found:
            reason = word(found)
            break
    if not where:
        return reason
    place = _WHERE.match(where)
    if place and (place["line"] or place["element"]):
        where = place["file"]
        if place["line"]:
            where = _("%(file)s, line %(line)s", file=where, line=place["line"])
        if place["element"]:
            where = _("%(file)s, element %(element)s", file=where, element=place["element"])
    return _("%(where)s: %(reason)s", where=where, reason=reason)
