"""The reasons a model upload is refused, as the engine words them (English) and as the person reads them.

Each entry is a pattern over the engine's reason (engine/bpmn, engine/forms, engine/sandbox) and the
translated text, with the names it quotes kept as they are. Library texts quoted inside a reason (an
XML parser's or JSON Schema's message, Python's syntax error) stay in English in parentheses: they
are what a search engine finds.
"""
from __future__ import annotations

import re
from typing import Callable

from flask_babel import gettext as _

_Reason = Callable[[re.Match[str]], str]

REASONS: tuple[tuple[re.Pattern[str], _Reason], ...] = tuple((re.compile(p), f) for p, f in (
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
    (r"^service task uses connector '(?P<name>[^']*)', which OpsFlow does not provide "
     r"\(it provides (?P<known>.*)\)$",
     lambda m: _("The service task uses connector %(name)s, which OpsFlow does not provide (it provides "
                 "%(known)s).", name=m["name"], known=m["known"])),
    (r"^the (?P<connector>\w+) connector needs the parameter\(s\) (?P<params>.+)$",
     lambda m: _("The %(connector)s connector needs the parameter(s) %(params)s.", connector=m["connector"],
                 params=m["params"])),
    (r"^the (?P<connector>\w+) connector has no parameter\(s\) (?P<params>.+)$",
     lambda m: _("The %(connector)s connector has no parameter(s) %(params)s.", connector=m["connector"],
                 params=m["params"])),
    (r"^retries must be between 0 and (?P<n>\d+)$",
     lambda m: _("Retries must be between 0 and %(n)s.", n=m["n"])),
    (r"^user task is in no lane.*$",
     lambda m: _("The user task is in no lane (the lane names the role that does it).")),
    (r"^no executable process with id '(?P<key>[^']+)'$",
     lambda m: _("No executable process with id %(key)s.", key=m["key"])),
    (r"^lane '(?P<lane>[^']+)' is not a role \(roles: (?P<roles>.*)\)$",
     lambda m: _("Lane %(lane)s is not a role (roles: %(roles)s).", lane=m["lane"], roles=m["roles"])),
    (r"^not used by (?P<keys>.+); a form or decision table must be named in the process's model$",
     lambda m: _("Not used by %(keys)s: a form or decision table must be named in the process's model.",
                 keys=m["keys"])),
    (r"^business rule task names no decision .*$",
     lambda m: _("The business rule task names no decision: choose the decision table it applies.")),
    (r"^decision '(?P<decision>[^']+)' is called but no \.dmn file .*defines it$",
     lambda m: _("Decision %(decision)s is called but no .dmn file defines it.", decision=m["decision"])),
    (r"^the file must hold a process with id '(?P<key>[^']+)' \(found (?P<found>.*)\)$",
     lambda m: _("The file must hold a process with id %(key)s (found: %(found)s).", key=m["key"],
                 found=m["found"])),
    (r"^choose the process's \.bpmn file too.*$",
     lambda m: _("Choose the process's .bpmn file too, or upload this file on the page of the process it "
                 "belongs to.")),
    # call activities calling another file's process (engine/bpmn/deploy.py, specs.py)
    (r"^calls process '(?P<key>[^']+)', but no .* defines it and no such process is deployed$",
     lambda m: _("Calls process %(key)s, but no %(key)s.bpmn defines it and no such process is deployed.",
                 key=m["key"])),
    (r"^calls '(?P<key>[^']+)', which calls back \((?P<chain>.+)\)$",
     lambda m: _("Calls %(key)s, which calls back (%(chain)s).", key=m["key"], chain=m["chain"])),
    (r"^(?P<callee>\S+) brings its own (?P<file>\S+), which differs from the \S+ of (?P<key>\S+); "
     r"rename one$",
     lambda m: _("%(callee)s brings its own %(file)s, which differs from the %(file)s of %(key)s: rename "
                 "one.", callee=m["callee"], file=m["file"], key=m["key"])),
    (r"^a user task of (?P<file>\S+) has the same id; a called process's steps need ids of their own$",
     lambda m: _("A user task of %(file)s has the same id: a called process's steps need ids of their own.",
                 file=m["file"])),
    (r"^this page deploys process '(?P<key>[^']+)' only \(its file is (?P<file>.+)\)$",
     lambda m: _("This page deploys process %(key)s only (its file is %(file)s).", key=m["key"],
                 file=m["file"])),
) + (
    # model code (engine/bpmn/code_checks.py, engine/sandbox)
    (r"^syntax error: (?P<detail>.*)$", lambda m: _("Syntax error (%(detail)s).", detail=m["detail"])),
    (r"^'(?P<name>[^']+)' is not allowed in model scripts$",
     lambda m: _("%(name)s is not allowed in model scripts.", name=m["name"])),
    (r"^'(?P<name>[^']+)' is not allowed in model scripts; use now\(\) or today\(\)$",
     lambda m: _("%(name)s is not allowed in model scripts; use now() or today().", name=m["name"])),
    (r"^attribute '(?P<name>[^']+)' is not allowed in model scripts$",
     lambda m: _("The attribute %(name)s is not allowed in model scripts.", name=m["name"])),
    (r"^(?P<detail>.+); use an f-string in model scripts$",
     lambda m: _("Not allowed in model scripts (%(detail)s); use an f-string.", detail=m["detail"])),
    (r'^"(?P<name>[^"]+)" is an invalid variable name.*$',
     lambda m: _("%(name)s is not allowed as a name in model scripts (names starting with _ are refused).",
                 name=m["name"])),
    (r'^"(?P<name>[^"]+)" is an invalid attribute name.*$',
     lambda m: _("The attribute %(name)s is not allowed in model scripts (names starting with _ are "
                 "refused).", name=m["name"])),
    (r"^class definitions are not allowed in model scripts$",
     lambda m: _("Class definitions are not allowed in model scripts.")),
    (r'^"?(?P<what>[\w ]+)"? statements are not allowed\.?$',
     lambda m: _("%(what)s statements are not allowed in model scripts.", what=m["what"])),
    (r"^cannot assign to (?P<names>.+): the name of a script helper$",
     lambda m: _("Cannot assign to %(names)s: it is the name of a script helper.", names=m["names"])),
    # forms (engine/bpmn/deploy.py, engine/forms)
    (r"^not a valid JSON Schema at (?P<path>\S+): (?P<detail>.*)$",
     lambda m: _("Not a valid JSON Schema at %(path)s (%(detail)s).", path=m["path"], detail=m["detail"])),
    (r"^a form must be a JSON object.*$",
     lambda m: _("A form must be a JSON object (a JSON Schema with \"type\": \"object\").")),
    # the form editor (engine/bpmn/form_steps.py)
    (r"^version (?P<version>\d+) has a file of this name already; edit it instead$",
     lambda m: _("Version %(version)s has a file of this name already; edit it instead.",
                 version=m["version"])),
    (r"^the draft has a file of this name already; edit it instead$",
     lambda m: _("The draft has a file of this name already; edit it instead.")),
    (r"^no user task or start event of this id$",
     lambda m: _("There is no user task or start event with this id.")),
    (r"^(?P<rule>x-rules\[\d+\]) needs exactly one of at_most and at_least$",
     lambda m: _("%(rule)s needs exactly one of at_most and at_least.", rule=m["rule"])),
    (r"^(?P<rule>x-rules\[\d+\]) needs a field$", lambda m: _("%(rule)s needs a field.", rule=m["rule"])),
    (r"^(?P<rule>x-rules\[\d+\]) must be an object$",
     lambda m: _("%(rule)s must be an object.", rule=m["rule"])),
    (r"^x-rules must be a list of rules$", lambda m: _("x-rules must be a list of rules.")),
    (r"^(?P<rule>x-rules\[\d+\]): unknown key\(s\) (?P<keys>.+)$",
     lambda m: _("%(rule)s: unknown keys %(keys)s.", rule=m["rule"], keys=m["keys"])),
    (r"^(?P<where>[^:]+): x-rows belongs on a list$",
     lambda m: _("%(where)s: x-rows belongs on a list.", where=m["where"])),
    (r"^(?P<where>[^:]+): x-rows must be one of (?P<modes>.+), not (?P<mode>.+)$",
     lambda m: _("%(where)s: x-rows must be one of %(modes)s, not %(mode)s.", where=m["where"],
                 modes=m["modes"], mode=m["mode"])),
    (r"^(?P<where>[^:]+): rows with read-only properties cannot be free.*$",
     lambda m: _("%(where)s: rows with read-only properties cannot be free (a new row would have no case "
                 "values for them).", where=m["where"])),
    # roles and approvals (engine/bpmn/versions.py, approvals.py)
    (r"^(?P<prop>\w+) names (?P<names>.+), not a role \(roles: (?P<roles>.*)\)$",
     lambda m: _("%(prop)s names %(names)s, which is not a role (roles: %(roles)s).", prop=m["prop"],
                 names=m["names"], roles=m["roles"])),
    (r"^approvalMode must be one of (?P<modes>.+), not (?P<mode>.+)$",
     lambda m: _("approvalMode must be one of %(modes)s, not %(mode)s.", modes=m["modes"], mode=m["mode"])),
    (r"^approvalMode needs multi-instance loop characteristics.*$",
     lambda m: _("approvalMode needs multi-instance loop characteristics (one instance per approver).")),
    (r"^an approval step loops over a list of usernames.*$",
     lambda m: _("An approval step loops over a list of usernames: give loopDataInputRef and "
                 "inputDataItem.")),
    (r"^an approval step collects its decisions.*$",
     lambda m: _("An approval step collects its decisions: give loopDataOutputRef and outputDataItem (the "
                 "form's boolean decision field).")),
    (r"^approvalMode '(?P<mode>\w+)' needs isSequential=\"(?P<value>\w+)\"$",
     lambda m: _("approvalMode %(mode)s needs isSequential=\"%(value)s\".", mode=m["mode"],
                 value=m["value"])),
    (r"^approvalMode 'any' needs a completionCondition.*$",
     lambda m: _("approvalMode any needs a completionCondition (True: the first decision ends the step).")),
    # timer start events (engine/bpmn/schedules.py, timer_rules.py)
    (r"^the timer of a start event must be a quoted ISO text, not (?P<expr>.+)$",
     lambda m: _("The timer of a start event must be a quoted ISO text, not %(expr)s.", expr=m["expr"])),
    (r"^(?P<text>'[^']*') is not an ISO (?P<what>date-time|duration)$",
     lambda m: _("%(text)s is not an ISO date-time.", text=m["text"]) if m["what"] == "date-time"
     else _("%(text)s is not an ISO duration.", text=m["text"])),
    (r"^(?P<text>'[^']*') has no UTC offset.*$",
     lambda m: _("%(text)s has no UTC offset (write it as e.g. 2026-01-01T02:00:00+08:00).", text=m["text"])),
    (r"^(?P<text>'[^']*'): a schedule's cycle is .*$",
     lambda m: _("%(text)s: a schedule's cycle is R[n]/<start date-time>/<duration>.", text=m["text"])),
    (r"^(?P<text>'[^']*'): the repetitions must be a whole number$",
     lambda m: _("%(text)s: the repetitions must be a whole number.", text=m["text"])),
    (r"^(?P<text>'[^']*'): a schedule repeats at most once a minute$",
     lambda m: _("%(text)s: a schedule repeats at most once a minute.", text=m["text"])),
    (r"^(?P<text>'[^']*'): R0 never fires$", lambda m: _("%(text)s: R0 never fires.", text=m["text"])),
    (r"^a start event's timer is a timeCycle or a timeDate, not a timeDuration$",
     lambda m: _("A start event's timer is a timeCycle or a timeDate, not a timeDuration.")),
    (r"^startFor must be 'stores' \(or left out for one case\), not (?P<value>.+)$",
     lambda m: _("startFor must be stores (or left out for one case), not %(value)s.", value=m["value"])),
    (r"^a process with a timer start event has no other start event.*$",
     lambda m: _("A process with a timer start event has no other start event (a person starts it by hand "
                 "through the same one).")),
))
