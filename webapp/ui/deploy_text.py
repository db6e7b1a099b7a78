"""Why a model upload was refused, in the administrator's language.

The engine words a DeployError in English as "<where>: <reason>" (engine/bpmn: deploy, specs,
versions, code_checks), a refused piece of model code as "<where>: <what>: <reason>". The place
(file, line, element) and the names it quotes stay as they are; the reason is translated when it is
one the engine gives (webapp/ui/deploy_reasons.py), else shown in English, so nothing is ever lost.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from .deploy_reasons import REASONS

_WHERE = re.compile(r"^(?P<file>[^,]+)(?:, line (?P<line>\d+))?(?:, column (?P<column>\d+))?"
                    r"(?:, element (?P<element>\S+))?$")
_FORM_WHERE = re.compile(r"^(?P<file>\S+) \(the form of element (?P<element>\S+) in (?P<bpmn>\S+)\)$")
_CODE = re.compile(r"^(?P<what>script|pre-script|post-script|condition|timer date|timer duration|timer cycle|"
                   r"loop cardinality|completion condition|correlation expression|message payload|"
                   r"service parameter '[^']*'|DMN (?:input|output) entry of rule \d+): (?P<reason>.*)$",
                   re.DOTALL)


def _code_kind(what: str) -> str:
    rule = re.match(r"DMN (input|output) entry of rule (\d+)$", what)
    if rule:
        if rule[1] == "input":
            return _("DMN input entry of rule %(rule)s", rule=rule[2])
        return _("DMN output entry of rule %(rule)s", rule=rule[2])
    parameter = re.match(r"service parameter '([^']*)'$", what)
    if parameter:
        return _("service parameter %(name)s", name=parameter[1])
    return {
        "script": _("script"), "pre-script": _("pre-script"), "post-script": _("post-script"),
        "condition": _("condition"), "timer date": _("timer date"), "timer duration": _("timer duration"),
        "timer cycle": _("timer cycle"), "loop cardinality": _("loop cardinality"),
        "completion condition": _("completion condition"),
        "correlation expression": _("correlation expression"), "message payload": _("message payload"),
    }[what]


def _reason_text(reason: str) -> str:
    code = _CODE.match(reason)
    if code:
        return _("%(what)s: %(reason)s", what=_code_kind(code["what"]), reason=_reason_text(code["reason"]))
    for pattern, word in REASONS:
        found = pattern.match(reason)
        if found:
            return word(found)
    return reason


def _place_text(where: str) -> str:
    form = _FORM_WHERE.match(where)
    if form:
        return _("%(file)s (the form of element %(element)s in %(bpmn)s)", file=form["file"],
                 element=form["element"], bpmn=form["bpmn"])
    place = _WHERE.match(where)
    if place and (place["line"] or place["element"]):
        where = place["file"]
        if place["line"] and place["column"]:
            where = _("%(file)s, line %(line)s, column %(column)s", file=where, line=place["line"],
                      column=place["column"])
        elif place["line"]:
            where = _("%(file)s, line %(line)s", file=where, line=place["line"])
        if place["element"]:
            where = _("%(file)s, element %(element)s", file=where, element=place["element"])
    return where


def deploy_error_text(message: str) -> str:
    """The engine's refusal with its reason in the person's language."""
    where, sep, reason = message.partition(": ")
    if not sep or where.startswith(("choose ", "only ", "not ")):
        where, reason = "", message
    reason = _reason_text(reason)
    if not where:
        return reason
    return _("%(where)s: %(reason)s", where=_place_text(where), reason=reason)
