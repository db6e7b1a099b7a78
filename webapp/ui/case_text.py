"""The case as people read it: labelled values instead of raw JSON, a history in sentences, and
where the case went after a step.

Labels come from the forms of the case's process version (every key any of its forms names), so a
field is called the same on the form that asked for it and everywhere it is shown later. Keys no
form names (scripts' working values) are not shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _

from engine.views import CaseView, EventView

from .approval_text import APPROVAL_EVENTS, approval_entry
from .form_fields import FILE_KEYS, STORE_KEYS, choices_of, to_token
from .line_totals import amount_total, column_totals
from .names import outcome_name, role_name, step_name, store_name
from .numbers import is_money, money
from .schema_text import schema_text


@dataclass(frozen=True)
class Shown:
    key: str
    label: str
    text: str = ""
    kind: str = "text"  # text, long, table, files
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    files: tuple[str, ...] = ()
    numeric: bool = False  # a number: shown right-aligned with tabular figures
    numeric_columns: tuple[bool, ...] = ()  # per table column
    totals: tuple[str, ...] = ()  # a table's per-column sums ('' where none), see line_totals
    amount: str = ""  # a table's Σ quantity × unit price


@dataclass(frozen=True)
class DecisionPart:
    """One piece of what was decided at a step: the choice (its tone says approve or reject, for its
    colour), an amount, or the comment."""
    kind: str  # choice, money, comment
    label: str
    text: str
    tone: str = ""  # approve, reject or "" for a choice that is neither


@dataclass(frozen=True)
class HistoryEntry:
    event: EventView
    icon: str
    text: str
    note: str = ""
    values: list[Shown] = field(default_factory=list)
    decision: str = ""
    decided: tuple[DecisionPart, ...] = ()  # the decision line in parts, for the case page's timeline


def label_index(forms: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Key → the property schema that labels it; the start form's wording wins."""
    index: dict[str, Mapping[str, Any]] = {}
    names = sorted(forms, key=lambda n: (n != "start.json", n))
    for name in names:
        for key, prop in ((forms[name] or {}).get("properties") or {}).items():
            if isinstance(prop, Mapping) and prop.get("title") and key not in index:
                index[key] = prop
    return index


def format_value(key: str, prop: Mapping[str, Any], value: Any) -> str:
    """One value as text in the user's language: choice labels, yes/no, numbers, dates, stores."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        item = prop.get("items") or {}
        return "、".join(format_value(key, item, v) for v in value) if value else "—"
    options = {c.token: c.label for c in choices_of(prop)}
    if options and to_token(value) in options:
        return options[to_token(value)]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in STORE_KEYS or key == "store_code":
        name = store_name(str(value))
        return f"{value} · {name}" if name and name != value else str(value)
    if isinstance(value, (int, float)):
        return money(value) if is_money(key, prop) else format_decimal(value)
    fmt = prop.get("format")
    if isinstance(value, str) and fmt == "date":
        try:
            return format_date(date.fromisoformat(value[:10]), "medium")
        except ValueError:
            return value
    if isinstance(value, str) and fmt == "date-time":
        try:
            return format_datetime(datetime.fromisoformat(value), "medium")
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def show(key: str, prop: Mapping[str, Any], value: Any) -> Shown:
    label = schema_text(prop.get("title")) or key
    if key in FILE_KEYS and isinstance(value, list):
        return Shown(key, label, kind="files", files=tuple(str(v) for v in value))
    item = prop.get("items") or {}
    if isinstance(value, list) and item.get("type") == "object":
        columns = [(c, p) for c, p in (item.get("properties") or {}).items()]
        rows = tuple(tuple(format_value(c, p, row.get(c)) for c, p in columns)
                     for row in value if isinstance(row, Mapping))
        headers = tuple(schema_text(p.get("title")) or c for c, p in columns)
        numeric = tuple(p.get("type") in ("number", "integer") for _c, p in columns)
        lines = [row for row in value if isinstance(row, Mapping)]
        return Shown(key, label, kind="table", columns=headers, rows=rows, numeric_columns=numeric,
                     totals=column_totals(columns, lines), amount=amount_total(columns, lines))
    text = format_value(key, prop, value)
    long = isinstance(value, str) and (len(value) > 60 or "\n" in value)
    return Shown(key, label, text=text, kind="long" if long else "text",
                 numeric=isinstance(value, (int, float)) and not isinstance(value, bool))


def case_items(index: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any],
               only: Iterable[str] | None = None) -> list[Shown]:
    """Labelled values of the case, in the order the forms ask for them."""
    wanted = list(only) if only is not None else list(index)
    return [show(key, index[key], data[key]) for key in wanted
            if key in index and key in data and data[key] not in (None, "", [])]


def form_items(schema: Mapping[str, Any] | None, data: Mapping[str, Any] | None,
               readonly_only: bool = False) -> list[Shown]:
    """The values a form holds, labelled by that form (a step's submission, a task's context)."""
    if not schema or not data:
        return []
    props = schema.get("properties") or {}
    keys = [k for k, p in props.items()
            if isinstance(p, Mapping) and (p.get("readOnly") or not readonly_only)]
    return case_items({k: props[k] for k in keys}, data)


_COMMENT_KEYS = ("comment", "note", "opinion", "remark")
_COMMENT_TITLES = ("意见", "说明", "备注")


def _writable(form: Mapping[str, Any] | None) -> list[tuple[str, Mapping[str, Any]]]:
    props = (form or {}).get("properties") or {}
    return [(k, p) for k, p in props.items() if isinstance(p, Mapping) and not p.get("readOnly")]


def _is_choice(prop: Mapping[str, Any]) -> bool:
    return bool(prop.get("oneOf") or prop.get("enum")) or prop.get("type") == "boolean"


def _is_comment(key: str, prop: Mapping[str, Any]) -> bool:
    title = str(prop.get("title") or "")
    return prop.get("type") == "string" and not _is_choice(prop) and (
        any(key.endswith(k) for k in _COMMENT_KEYS) or any(t in title for t in _COMMENT_TITLES))


_APPROVING, _REJECTING = (True, "pass", "approve", "approved"), (False, "fail", "reject", "rejected")


def _tone(value: Any) -> str:
    if isinstance(value, bool) or isinstance(value, str):
        return "approve" if value in _APPROVING else "reject" if value in _REJECTING else ""
    return ""


def decision_parts(form: Mapping[str, Any] | None, data: Mapping[str, Any],
                   known: Mapping[str, Any] | None = None) -> tuple[DecisionPart, ...]:
    """What a person decided at a step: the step's first choice field, the amounts its form shows
    (those it asks for from `data`, the read-only ones it showed from `known`, the case data as the
    earlier events recorded it; none of zero), and its comment; nothing for a form of plain figures
    (those stay under "what was entered"). In the approval apps people know, the decision and its
    comment are the entry, and an approval means little without the amount approved."""
    props = {k: p for k, p in ((form or {}).get("properties") or {}).items() if isinstance(p, Mapping)}
    fields = _writable(form)
    parts = []
    choice = next(((k, p) for k, p in fields if _is_choice(p) and k in data), None)
    if choice is not None:
        key, prop = choice
        parts.append(DecisionPart("choice", schema_text(prop.get("title")) or key,
                                  format_value(key, prop, data[key]), _tone(data[key])))
    for key, prop in props.items():
        value = data.get(key) if not prop.get("readOnly") else (known or {}).get(key)
        if value and is_money(key, prop) and isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(DecisionPart("money", schema_text(prop.get("title")) or key, money(value)))
    comment = next(((k, p) for k, p in fields if _is_comment(k, p) and data.get(k)), None)
    if comment is not None:
        key, prop = comment
        parts.append(DecisionPart("comment", schema_text(prop.get("title")) or key, str(data[key])))
    return tuple(parts)


def decision_line(form: Mapping[str, Any] | None, data: Mapping[str, Any],
                  known: Mapping[str, Any] | None = None) -> str:
    """`decision_parts` in one line: "审批结果 通过 · 赔付金额（元） ¥399.50 · 审批意见：…"."""
    return " · ".join(f"{p.label}：{p.text}" if p.kind == "comment" else f"{p.label} {p.text}"
                      for p in decision_parts(form, data, known))


_ICONS = {"started": "bi-flag", "task_claimed": "bi-person-check", "task_unclaimed": "bi-person-dash",
          "task_assigned": "bi-person-up", "task_transferred": "bi-arrow-left-right",
          "task_completed": "bi-check-circle",
          "comment": "bi-chat-left-text",
          "attachment_added": "bi-paperclip", "attachment_removed": "bi-paperclip", "outcome": "bi-signpost",
          "completed": "bi-flag-fill", "terminated": "bi-x-octagon", "suspended": "bi-pause-circle",
          "resumed": "bi-play-circle", "task_created": "bi-hourglass-split",
          "incident_opened": "bi-exclamation-triangle", "incident_retried": "bi-arrow-repeat",
          "incident_resolved": "bi-check2-circle", "withdrawn": "bi-arrow-counterclockwise",
          "case_cc": "bi-send", "task_urged": "bi-bell", "sent_back": "bi-arrow-return-left",
          "message_received": "bi-envelope-arrow-down", "connector_called": "bi-plug",
          "case_migrated": "bi-arrow-right-circle"}


def history(events: Iterable[EventView], process_key: str, people: Mapping[str, str],
            forms_of_step: Mapping[str, Mapping[str, Any] | None], start_form: Mapping[str, Any] | None,
            step_names: Mapping[str, str], version_id: int | None = None) -> list[HistoryEntry]:
    """Who did which step when, newest last; engine bookkeeping (script steps, syncs) is left out.

    `step_names` are the model's (Chinese) element names; English ones come from the catalogue.
    """
    entries = []
    known: dict[str, Any] = {}  # the case data as the events so far recorded it (start, then each step)
    for e in events:
        who = people.get(e.actor or "", e.actor or _("the system"))
        step = step_name(process_key, e.element_id, step_names.get(e.element_id or "") or e.message,
                         version_id=version_id)
        data = e.data or {}
        kind = e.event_type
        values: list[Shown] = []
        note = decision = ""
        decided: tuple[DecisionPart, ...] = ()
        if kind == "started":
            text = _("%(who)s started the case", who=who)
            values = form_items(start_form, data)
        elif kind == "task_created":
            text = _("“%(step)s” is waiting for %(role)s", step=step, role=role_name(data.get("role")) or "—")
        elif kind == "task_claimed":
            text = _("%(who)s took “%(step)s”", who=who, step=step)
        elif kind == "task_unclaimed":
            text = _("%(who)s released “%(step)s”", who=who, step=step)
        elif kind == "task_assigned" and e.actor is None:
            to = people.get(data.get("to") or "", data.get("to") or "")
            text = (_("“%(step)s” went to %(to)s, named by the process", step=step, to=to)
                    if data.get("by") == "model" else
                    _("“%(step)s” went to %(to)s, the only one with the role", step=step, to=to))
        elif kind == "task_assigned":
            text = _("%(who)s assigned “%(step)s” to %(to)s", who=who, step=step,
                     to=people.get(data.get("to") or "", data.get("to") or ""))
            note = e.message
        elif kind == "task_transferred" and data.get("handover"):  # 离职交接
            text = _("%(who)s handed “%(step)s” over from %(from)s to %(to)s", who=who, step=step,
                     to=people.get(data.get("to") or "", data.get("to") or ""),
                     **{"from": people.get(data.get("from") or "", data.get("from") or "")})
            note = e.message
        elif kind == "task_transferred":
            text = _("%(who)s transferred “%(step)s” to %(to)s", who=who, step=step,
                     to=people.get(data.get("to") or "", data.get("to") or ""))
            note = e.message
        elif kind == "task_completed":
            text = _("%(who)s completed “%(step)s”", who=who, step=step)
            form = forms_of_step.get(e.element_id or "")
            values = form_items(form, data)
            decided = decision_parts(form, data, known)
            decision = decision_line(form, data, known)
        elif kind == "sent_back":
            back_to = data.get("to") or ""
            to = step_name(process_key, back_to, step_names.get(back_to) or data.get("to_name") or back_to,
                           version_id=version_id)
            text = _("%(who)s sent the case back from “%(step)s” to “%(to)s”", who=who, step=step, to=to)
            note = e.message
        elif kind == "comment":
            text, note = _("%(who)s commented", who=who), e.message
        elif kind == "message_received":  # from another system, or a timer's retry
            text = _("%(who)s delivered the message %(name)s", who=who, name=e.message)
        elif kind == "connector_called":
            text = _("“%(step)s” ran through the %(connector)s connector", step=step,
                     connector=data.get("connector") or "")
        elif kind in ("attachment_added", "attachment_removed"):
            text = (_("%(who)s attached %(file)s", who=who, file=e.message) if kind == "attachment_added"
                    else _("%(who)s removed %(file)s", who=who, file=e.message))
        elif kind == "outcome":
            text = _("Outcome: %(outcome)s", outcome=outcome_name(e.message))
        elif kind == "completed":
            text = _("The case ended")
        elif kind in ("terminated", "suspended", "resumed"):
            text = {"terminated": _("%(who)s terminated the case", who=who),
                    "suspended": _("%(who)s suspended the case", who=who),
                    "resumed": _("%(who)s resumed the case", who=who)}[kind]
            note = e.message
        elif kind in ("withdrawn", "case_cc", "task_urged"):
            text, note = _move_entry(kind, who if e.actor else None, step, data, people), e.message
        elif kind == "case_migrated":
            text = _("%(who)s moved the case from version %(old)s to version %(new)s", who=who,
                     old=data.get("from", "?"), new=data.get("to", "?"))
            note = _timers_moved(data.get("timers") or {}, step_names)
        elif kind in APPROVAL_EVENTS:
            icon, text, note = approval_entry(kind, who, step, data, people, e.message)
            values = form_items(forms_of_step.get(e.element_id or ""), data.get("values"))
            entries.append(HistoryEntry(event=e, icon=icon, text=text, note=note, values=values))
            continue
        elif kind.startswith("incident_"):  # the error itself is for supervisors: the case page's panel
            text = _incident_entry(kind, who, step if e.element_id else _("the process model"), data)
            note = "" if kind == "incident_opened" else e.message
        else:
            continue
        if data.get("on_behalf_of"):  # 代理: held for someone away
            away = data["on_behalf_of"]
            text += " " + _("(deputy for %(name)s)", name=people.get(away, away))
        if kind in ("started", "task_completed"):
            known.update(data)
        entries.append(HistoryEntry(event=e, icon=_ICONS.get(kind, "bi-dot"), text=text, note=note,
                                    values=values, decision=decision, decided=decided))
    return entries


def _move_entry(kind: str, who: str | None, step: str, data: Mapping[str, Any],
                people: Mapping[str, str]) -> str:
    """撤回, 抄送 and 催办 in the timeline, naming the people they reached (`who` is None for a cc a
    model step made)."""
    def names(key: str) -> str:
        return "、".join(people.get(n, n) for n in data.get(key) or []) or "—"
    if kind == "withdrawn":
        if data.get("holders"):
            return _("%(who)s withdrew the case; %(people)s no longer need to act on it", who=who,
                     people=names("holders"))
        return _("%(who)s withdrew the case", who=who)
    if kind == "case_cc":
        if who is None:  # the model step as it was completed
            return _("“%(step)s” cc'd %(people)s", step=step, people=names("to"))
        return _("%(who)s cc'd %(people)s", who=who, people=names("to"))
    return _("%(who)s urged “%(step)s”; told %(people)s", who=who, step=step, people=names("to"))


def _incident_entry(kind: str, who: str, step: str, data: Mapping[str, Any]) -> str:
    if kind == "incident_opened":
        return _("“%(step)s” failed when the system ran it; the case is stopped", step=step)
    if kind == "incident_resolved":
        return _("%(who)s resolved the incident at “%(step)s” by hand", who=who, step=step)
    if data.get("succeeded"):
        return _("%(who)s retried “%(step)s”", who=who, step=step)
    return _("%(who)s retried “%(step)s”; it failed again", who=who, step=step)


def what_next(case: CaseView) -> str:
    """One sentence on where the case went: its next steps and who they wait for, or its outcome."""
    if case.status == "completed":
        return _("The case is finished: %(outcome)s.", outcome=outcome_name(case.outcome) or _("completed"))
    if not case.open_tasks:
        return _("The case is waiting (for a date or a message).")
    parts = []
    for t in case.open_tasks:
        if t.waiting_on:  # its holder waits on the approvals listed with it
            continue
        if t.kind == "approval":
            parts.append(_("“%(step)s” for approval by %(who)s", who=t.assignee or "—",
                           step=step_name(t.process_key, t.element_id, t.name, version=case.version)))
            continue
        who = role_name(t.role)
        if t.store_code and t.role in ("store_manager", "franchisee"):
            who = f"{who} ({store_name(t.store_code)})"
        step = step_name(t.process_key, t.element_id, t.name, version=case.version)
        parts.append(_("“%(step)s” for %(who)s", step=step, who=who))
    return _("Next: %(steps)s.", steps="; ".join(parts))


def _timers_moved(timers: dict[str, list[str]], step_names: Mapping[str, str]) -> str:
    """What a move did to the case's timers (`engine.bpmn.moved_timers`): armed afresh, disarmed."""
    def named(ids: list[str]) -> str:
        return "、".join(step_names.get(i) or i for i in ids)
    parts = []
    if timers.get("armed"):
        parts.append(_("Timers counted afresh from the move: %(timers)s", timers=named(timers["armed"])))
    if timers.get("disarmed"):
        parts.append(_("Timers removed: %(timers)s", timers=named(timers["disarmed"])))
    return " · ".join(parts)
