"""Business limits declared with a form (`x-rules`), checked on the server once its schema holds.

A JSON Schema bounds a field by constants; the limits a process lives by bound it by the case itself:
accepted ≤ received ≤ approved quantity on each line, a credit no larger than the accepted value, a
planned date not in the past. A form lists them beside its fields, as data a process owner edits:

    "x-rules": [
      {"field": "received_items.*.accepted_quantity", "at_most": "received_quantity"},
      {"field": "credit_amount", "at_most": "default_credit_amount"},
      {"field": "planned_opening_date", "at_least": "today()"},
      {"field": "compensation_amount", "at_most": "0", "when": "resolution_type in ('apology', 'none')"}
    ]

`field` is a number or date the step writes (`*` stands for every row of a list); `at_most` /
`at_least` is an expression (see `rule_expressions`) over the fields the form shows, looked up in
the field's own row first, then in the case as it will be after the step. Deploy refuses a rule
that names anything else, so the person doing the step always sees what bounds them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .expressions import Context, Expression, RuleError, moment, number
from .writes import properties

RULES_KEY = "x-rules"
_RULE_KEYS = frozenset({"field", "at_most", "at_least", "when", "$comment"})
UNCHECKABLE = "cannot be checked against its rule"


@dataclass(frozen=True)
class FormRule:
    path: tuple[str, ...]
    bound: Expression
    upper: bool
    kind: str  # number, date or date-time
    when: Expression | None = None

    def message(self, limit: str) -> str:
        """English, like every engine message: the web layer words it for people (see schema_text)."""
        words = {("number", True): "at most", ("number", False): "at least"}.get(
            (self.kind, self.upper), "on or before" if self.upper else "on or after")
        name = self.bound.single_name
        return f"must be {words} {limit}" + (f" ({name})" if name else "")


def compile_rules(schema: Mapping[str, Any]) -> tuple[FormRule, ...]:
    """The form's rules, checked against its fields; ValueError says which rule is wrong and why."""
    declared = schema.get(RULES_KEY)
    if declared is None:
        return ()
    if not isinstance(declared, list):
        raise ValueError(f"{RULES_KEY} must be a list of rules")
    return tuple(_compile(schema, index, rule) for index, rule in enumerate(declared))


def _compile(schema: Mapping[str, Any], index: int, rule: Any) -> FormRule:
    where = f"{RULES_KEY}[{index}]"
    if not isinstance(rule, Mapping):
        raise ValueError(f"{where} must be an object")
    unknown = set(rule) - _RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if ("at_most" in rule) == ("at_least" in rule):
        raise ValueError(f"{where} needs exactly one of at_most and at_least")
    field = rule.get("field")
    if not isinstance(field, str) or not field:
        raise ValueError(f"{where} needs a field")
    path = tuple(field.split("."))
    try:
        prop, visible = _target(schema, path, set(properties(schema)))
        kind = _kind(prop)
        bound = Expression(rule.get("at_most", rule.get("at_least")))
        when = Expression(rule["when"]) if "when" in rule else None
    except ValueError as exc:
        raise ValueError(f"{where} ({field}): {exc}") from None
    unknown_names = (bound.names | (when.names if when else set())) - visible
    if unknown_names:
        raise ValueError(f"{where} ({field}): {', '.join(sorted(unknown_names))} is not a field of this form "
                         "(a rule may only read what the form shows)")
    return FormRule(path, bound, "at_most" in rule, kind, when)


def _target(node: Mapping[str, Any], path: tuple[str, ...], visible: set[str]
            ) -> tuple[Mapping[str, Any], set[str]]:
    """The property a rule's field path points to, and the names the rule may read there: the
    fields of every row and object on the way, and the form's own."""
    part, rest = path[0], path[1:]
    prop = properties(node).get(part)
    if part == "*" or not isinstance(prop, Mapping):
        raise ValueError(f"no field {part!r} here" if part != "*" else "`*` must follow a list field")
    if prop.get("readOnly"):
        raise ValueError(f"{part} is read-only in this form; a rule bounds what the step writes")
    if not rest:
        return prop, visible
    if rest[0] == "*":
        items = prop.get("items")
        if prop.get("type") != "array" or not isinstance(items, Mapping) or items.get("type") != "object":
            raise ValueError(f"{part} is not a list of rows, so `*` cannot follow it")
        if len(rest) == 1:
            raise ValueError("a field path cannot end in `*`")
        return _target(items, rest[1:], visible | set(properties(items)))
    if prop.get("type") != "object":
        raise ValueError(f"{part} is neither a list of rows nor an object")
    return _target(prop, rest, visible | set(properties(prop)))


def _kind(prop: Mapping[str, Any]) -> str:
    if prop.get("type") in ("number", "integer"):
        return "number"
    if prop.get("type") == "string" and prop.get("format") in ("date", "date-time"):
        return str(prop["format"])
    raise ValueError("a rule bounds a number, a date or a date-time field")


# -- checking ------------------------------------------------------------------------------------

def check(rules: tuple[FormRule, ...], data: Mapping[str, Any], now: datetime,
          zone: ZoneInfo) -> dict[str, str]:
    """Field path → message for every value outside its limits (the first broken rule per field);
    `zone` is the business time zone, in which `today()` and a bare date are read."""
    errors: dict[str, str] = {}
    for rule in rules:
        for path, value, scopes in _instances(rule.path, data):
            if path in errors:
                continue
            ctx = Context(_lookup(scopes), now, zone)
            try:
                if rule.when is not None and not rule.when(ctx):
                    continue
                broken = _outside(rule, value, rule.bound(ctx), zone)
            except RuleError:
                broken = UNCHECKABLE
            if broken:
                errors[path] = broken
    return errors


def _lookup(scopes: list[Mapping[str, Any]]) -> Any:
    def lookup(name: str) -> Any:
        for scope in scopes:
            if name in scope:
                return scope[name]
        return None
    return lookup


def _instances(path: tuple[str, ...], data: Mapping[str, Any]
               ) -> list[tuple[str, Any, list[Mapping[str, Any]]]]:
    """(dotted path, value, scopes innermost first) of every value a rule's field path reaches."""
    found: list[tuple[str, Any, list[Mapping[str, Any]]]] = []

    def walk(node: Mapping[str, Any], at: int, prefix: list[str], scopes: list[Mapping[str, Any]]) -> None:
        part = path[at]
        child = node.get(part)
        if at == len(path) - 1:
            if child is not None:
                found.append((".".join(prefix + [part]), child, scopes))
        elif path[at + 1] == "*":
            for n, row in enumerate(child if isinstance(child, list) else ()):
                if isinstance(row, Mapping):
                    walk(row, at + 2, prefix + [part, str(n)], [row, *scopes])
        elif isinstance(child, Mapping):
            walk(child, at + 1, prefix + [part], [child, *scopes])

    walk(data, 0, [], [data])
    return found


def _outside(rule: FormRule, value: Any, bound: Any, zone: ZoneInfo) -> str | None:
    """The message when `value` breaks the rule's bound, else None."""
    if rule.kind == "number":
        given, limit = number(value), bound
        if not isinstance(given, Decimal) or not isinstance(limit, Decimal):
            raise RuleError("a number rule compares numbers")
        shown = _decimal_text(limit)
    elif rule.kind == "date":
        given, limit = moment(value, zone).date(), moment(bound, zone).date()
        shown = limit.isoformat()
    else:
        given, limit = moment(value, zone), moment(bound, zone)
        shown = limit.isoformat()
    inside = given <= limit if rule.upper else given >= limit
    return None if inside else rule.message(shown)


def _decimal_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
