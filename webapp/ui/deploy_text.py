"""Why a model upload was refused, in the administrator's language.

A DeployError carries a stable reason code and the values it quotes (`reason`, `params`) beside its
file, line and element: the text is made from those (webapp/ui/deploy_codes.py). An error without a
code (or a bare message) is read the older way: the engine words it in English as "<where>: <reason>",
a refused piece of model code as "<where>: <what>: <reason>", and the reason is translated when it is
one the engine gives (webapp/ui/deploy_reasons.py), else shown in English, so nothing is ever lost.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from engine.errors import DeployError

from .deploy_codes import CODES
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


def deploy_error_text(error: DeployError | str) -> str:
    """The engine's refusal with its reason in the person's language."""
    if isinstance(error, DeployError):
        told = CODES.get(error.reason)
        if told is None:
            return deploy_error_text(error.message)
        return _placed(_where(error), told(error.params, _reason_text))
    where, sep, reason = error.partition(": ")
    if not sep or where.startswith(("choose ", "only ", "not ")):
        where, reason = "", error
    return _placed(_place_text(where) if where else "", _reason_text(reason))


def _where(error: DeployError) -> str:
    """File, line and element in words; a form names the model element it belongs to."""
    if error.reason == "form_invalid":
        return _("%(file)s (the form of element %(element)s in %(bpmn)s)", file=error.filename or "",
                 element=error.element or "", bpmn=error.params.get("bpmn", ""))
    where = error.filename or ""
    if error.line:
        where = _("%(file)s, line %(line)s", file=where, line=error.line)
    if error.element:
        where = _("%(file)s, element %(element)s", file=where, element=error.element)
    return where


def _placed(where: str, reason: str) -> str:
    return _("%(where)s: %(reason)s", where=where, reason=reason) if where else reason
