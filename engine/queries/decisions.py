"""The decision a step's form offers (同意/驳回, 通过/不通过), read off its JSON Schema, so a page can
put one button per choice where a thumb reaches it.

Nothing here decides anything: a button submits the form's own fields, and completing the task
checks them against the same schema as any other submission.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.loading import CaseLoader
from engine.bpmn.specs import ParsedProcess
from engine.models import HumanTask, ProcessInstance
from engine.views import TaskView

#: A choice whose value says yes or no: the page styles its button by this meaning.
APPROVING = frozenset({"approve", "approved", "accept", "accepted", "pass", "passed", "yes", "ok", "valid"})
REJECTING = frozenset({"reject", "rejected", "deny", "denied", "decline", "declined", "fail", "failed", "no",
                       "invalid"})

#: More choices than this are a field to fill in, not buttons in a bar.
MAX_CHOICES = 3
#: A `oneOf` choice may say what it means where its value says it wrongly (the stocktake's `recount`:
#: `true` 需要复盘 sends the count back, `false` 差异已核对 lets it go on).
MEANING_KEY = "x-meaning"
MEANINGS = ("approve", "reject", "neutral")


@dataclass(frozen=True)
class DecisionChoice:
    """One button: the value it submits, its label as the form names it, and what it means."""

    value: Any
    title: str
    meaning: str  # "approve", "reject" or "neutral"
    #: The form refuses this choice without the comment (always required, or required for it by if/then).
    comment_required: bool
    #: The button opens the comment before it submits: the comment is required, or the choice rejects.
    asks_comment: bool

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "title": self.title, "meaning": self.meaning,
                "comment_required": self.comment_required, "asks_comment": self.asks_comment}


@dataclass(frozen=True)
class DecisionOffer:
    """A form's one decision field, its choices and the comment field beside it (if any)."""

    field: str
    title: str
    choices: tuple[DecisionChoice, ...]
    comment_field: str | None = None
    comment_title: str | None = None
    #: The form is this decision and at most its comment: it can be decided from the task list.
    only: bool = False

    def choice(self, token: str) -> DecisionChoice | None:
        """The choice a posted token names (`true`/`false` for a yes-or-no field)."""
        return next((c for c in self.choices if token_of(c.value) == token), None)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "title": self.title, "choices": [c.to_dict() for c in self.choices],
                "comment_field": self.comment_field, "only": self.only}


def token_of(value: Any) -> str:
    """A choice's value as a form posts it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _options(prop: Mapping[str, Any]) -> list[tuple[Any, str]]:
    options = prop.get("oneOf") or prop.get("anyOf") or []
    found = [(o["const"], str(o.get("title") or token_of(o["const"])))
             for o in options if isinstance(o, Mapping) and "const" in o]
    if found:
        return found
    if isinstance(prop.get("enum"), list):
        names = prop.get("x-enumNames") or prop.get("enumNames") or []
        return [(v, str(names[i]) if i < len(names) else token_of(v)) for i, v in enumerate(prop["enum"])]
    if prop.get("type") == "boolean" and prop.get("const") is None:
        return [(True, "Yes"), (False, "No")]
    return []


def _declared_meanings(prop: Mapping[str, Any]) -> dict[str, str]:
    options = prop.get("oneOf") or prop.get("anyOf") or []
    return {token_of(o["const"]): o[MEANING_KEY] for o in options
            if isinstance(o, Mapping) and "const" in o and o.get(MEANING_KEY) in MEANINGS}


def _meaning(value: Any) -> str:
    if value is True or (isinstance(value, str) and value.lower() in APPROVING):
        return "approve"
    if value is False or (isinstance(value, str) and value.lower() in REJECTING):
        return "reject"
    return "neutral"


def _is_comment(prop: Mapping[str, Any]) -> bool:
    return prop.get("type") == "string" and not _options(prop) and not prop.get("format")


def _required_for(schema: Mapping[str, Any], field: str, value: Any) -> set[str]:
    """The fields the form's top-level if/then (or allOf of them) require once `field` is `value`."""
    conditions = [schema, *[c for c in schema.get("allOf") or [] if isinstance(c, Mapping)]]
    required: set[str] = set()
    for c in conditions:
        condition = c.get("if")
        test = (condition.get("properties") or {}).get(field) if isinstance(condition, Mapping) else None
        if not isinstance(test, Mapping):
            continue
        matches = (test["const"] == value and type(test["const"]) is type(value) if "const" in test
                   else value in test.get("enum", []))
        branch = c.get("then") if matches else c.get("else")
        if isinstance(branch, Mapping):
            required.update(r for r in branch.get("required") or [] if isinstance(r, str))
    return required


def decision_offer(form: Mapping[str, Any] | None) -> DecisionOffer | None:
    """The decision a form offers as buttons: exactly one writable choice field, required, with two or
    three choices, either one of them a yes or a no or the form nothing but it (and its comment); None
    for any other form (a form to fill in, whose page keeps its Complete button)."""
    if not form:
        return None
    props = {k: p for k, p in (form.get("properties") or {}).items()
             if isinstance(p, Mapping) and not p.get("readOnly")}
    required = {r for r in form.get("required") or [] if isinstance(r, str)}
    choosing = [k for k, p in props.items() if p.get("type") != "array" and _options(p)]
    if len(choosing) != 1 or choosing[0] not in required:
        return None
    field = choosing[0]
    options = _options(props[field])
    declared = _declared_meanings(props[field])
    if not 2 <= len(options) <= MAX_CHOICES:
        return None
    others = [k for k in props if k != field]
    comments = [k for k in others if _is_comment(props[k])]
    comment = comments[0] if len(comments) == 1 else None
    choices = []
    for value, title in options:
        needs = comment is not None and (comment in required or comment in _required_for(form, field, value))
        meaning = declared.get(token_of(value)) or _meaning(value)
        choices.append(DecisionChoice(value=value, title=title, meaning=meaning, comment_required=needs,
                                      asks_comment=comment is not None and (needs or meaning == "reject")))
    only = others == ([comment] if comment else []) and required <= {field, comment}
    if not only and all(c.meaning == "neutral" for c in choices):
        return None  # a choice among others to fill in (a payment method), not a yes or a no
    return DecisionOffer(field=field, title=str(props[field].get("title") or field), choices=tuple(choices),
                         comment_field=comment,
                         comment_title=str(props[comment].get("title") or comment) if comment else None,
                         only=only)


def list_decisions(engine: CaseLoader, session: Session, tasks: Iterable[TaskView],
                   user_name: str) -> dict[int, DecisionOffer]:
    """The listed tasks that can be decided right from the list, by task id: steps `user_name` holds or
    could take, not waiting on approvers, whose form is only a decision (and its comment).

    The 待办 list's rows carry their case's version (other views cost one query for theirs); each
    version's offers are worked out once, on its parsed process.
    """
    wanted = {t.id: t for t in tasks if t.kind == "step" and t.state == "open" and not t.waiting_on
              and t.assignee in (None, user_name)}
    versions = {task_id: t.version_id for task_id, t in wanted.items() if t.version_id is not None}
    if len(versions) < len(wanted):  # views built without their case's version (not the 待办 list's)
        versions.update(session.execute(
            select(HumanTask.id, ProcessInstance.version_id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.id.in_([i for i in wanted if i not in versions]))).tuples())
    offers: dict[int, DecisionOffer] = {}
    for task_id, version_id in versions.items():
        offer = _offer(engine.process(session, version_id), wanted[task_id].element_id)
        if offer is not None and offer.only:
            offers[task_id] = offer
    return offers


def _offer(parsed: ParsedProcess, element_id: str) -> DecisionOffer | None:
    """A step's offer, worked out once per parsed version: the 待办 list asks for every row."""
    key = ("decision_offer", element_id)
    if key not in parsed.derived:
        parsed.derived[key] = decision_offer(parsed.form_for(element_id))
    offer: DecisionOffer | None = parsed.derived[key]
    return offer
