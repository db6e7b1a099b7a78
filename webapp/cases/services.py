"""What the case pages show, in the person's language: gathered by plain functions with explicit
arguments (engine, session, person), never reading the request and never committing.

The case page reuses the task pages' wording (`webapp.ui.case_text`): a field has the same label
on the form that asked for it, on the task page and here, and the history reads the same.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from engine import Engine
from engine.models import ProcessInstance, User
from engine.queries import (
    CaseListRow,
    CaseMoves,
    CasePage,
    case_moves,
    case_page_view,
    colleagues,
    display_names,
    urge_counts,
)

from ..ui.approval_text import mentioned
from ..ui.case_text import HistoryEntry, Shown, case_items, history, label_index
from ..ui.names import outcome_name, process_name, role_name, status_name, step_name, store_name

#: What a refused bulk or case action tells the person, by the engine's refusal code.
REFUSALS = {"not_found": _l("not found"), "forbidden": _l("you do not supervise it"),
            "seeded": _l("seeded history, it has no workflow to change"),
            "concurrent_update": _l("someone else changed it at the same moment"),
            "incident_open": _l("it is stopped on an incident, which an administrator retries or resolves"),
            "model_error": _l("a step of its process model failed"),
            "case_data_too_large": _l("its data would grow past the size limit")}
CONFLICTS = {"terminate": _l("the case has already ended"),
             "suspend": _l("only a running case can be suspended"),
             "resume": _l("only a suspended or failed case can be resumed"),
             "reassign": _l("the case is not running, or nobody chosen may take its open steps")}
DUE_STATES = {"overdue": _l("Overdue"), "due_soon": _l("Due within 24 hours"), "on_time": _l("On time"),
              "none": _l("No deadline")}


@dataclass(frozen=True)
class CaseDisplay:
    page: CasePage
    data: list[Shown]
    history: list[HistoryEntry]
    people: dict[str, str] = field(default_factory=dict)
    moves: CaseMoves = field(default_factory=CaseMoves)
    urges: dict[int, int] = field(default_factory=dict)  # open task id → times urged
    colleagues: list[tuple[str, str]] = field(default_factory=list)  # whom I may cc

    @property
    def case(self) -> CaseListRow:
        return self.page.case

    @property
    def waiting_events(self) -> list[tuple[str, str]]:
        """The catch events the case waits at (a date, a message): (element id, name), listed with
        the open steps, since nobody holds them and the diagram alone would not say what comes."""
        held = {t.element_id for t in self.page.tasks}
        return [(element, step_name(self.case.process_key, element, self.page.element_names.get(element),
                                    version=self.case.version))
                for element in self.page.markers.current if element not in held]

    def diagram_state(self) -> dict[str, Any]:
        """The marks the diagram script draws, with the step names for its legend and tooltips."""
        return {**self.page.markers.to_dict(),
                "names": {t.element_id: step_name(self.case.process_key, t.element_id, t.name,
                                                  version=self.case.version)
                          for t in self.page.tasks}}


def case_display(engine: Engine, session: Session, user: User, case_id: int, now: datetime) -> CaseDisplay:
    """Everything the case page shows; NotFound when the person may not see the case."""
    page = case_page_view(engine, session, user, case_id, now)
    instance = session.get(ProcessInstance, case_id)
    parsed = engine.process(session, instance.version_id)
    assigned = [(e.data or {}).get("to") for e in page.events
                if e.event_type in ("task_assigned", "task_transferred")]
    told = [n for e in page.events if e.event_type in ("case_cc", "task_urged", "withdrawn")
            for n in (e.data or {}).get("to", (e.data or {}).get("holders", []))]
    people = display_names(session, [e.actor for e in page.events] + [page.case.started_by] + told
                           + [t.assignee for t in page.tasks] + assigned
                           + [a.uploaded_by for a in page.attachments] + mentioned(page.events))
    steps = {e.element_id: parsed.form_for(e.element_id) for e in page.events
             if e.event_type in ("task_completed", "task_submitted") and e.element_id}
    moves = case_moves(engine, session, user, instance)
    return CaseDisplay(page=page, data=case_items(label_index(parsed.forms), page.data),
                    history=history(page.events, page.case.process_key, people, steps, parsed.start_form(),
                                    page.element_names, instance.version_id),
                    people=people, moves=moves, urges=urge_counts(session, [t.id for t in page.tasks]),
                    colleagues=colleagues(session, user) if moves.cc else [])


def refusal(code: str, action: str) -> str:
    if code in ("conflict", "invalid_data"):
        return str(CONFLICTS.get(action, _l("not possible now")))
    return str(REFUSALS.get(code, _l("not possible now")))


# -- CSV ----------------------------------------------------------------------------------------

#: Lines per chunk handed to the server: one write per line would cost more than the lines themselves.
CSV_CHUNK = 500


def _cell(value: Any) -> str:
    """Text someone typed, for one cell; a leading = + - @ would make Excel run it as a formula, so it
    is quoted. (Numbers, dates and the names the app gives need no such care.)"""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def _local(value: datetime | None, tz: tzinfo) -> str:
    """ISO date and minute in the viewer's zone ("2026-12-03 08:21"), which Excel reads as a date."""
    return value.astimezone(tz).isoformat(" ", "minutes")[:16] if value else ""


def _remembered(fn: Callable[..., str]) -> Callable[..., str]:
    """`fn` answered once per distinct argument within one export: a name is looked up in the
    person's language for every row otherwise, and at 100k rows the lookups cost most of the time."""
    return lru_cache(maxsize=4096)(fn)


def csv_lines(rows: Iterable[CaseListRow], tz: tzinfo) -> Iterator[str]:
    """The export, `CSV_CHUNK` lines at a time: UTF-8 with a byte order mark so Excel reads the Chinese
    right, dates as ISO date and minute, numbers plain (no separators, a dot for decimals)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    process, status, outcome = _remembered(process_name), _remembered(status_name), _remembered(outcome_name)
    step, role, store = _remembered(step_name), _remembered(role_name), _remembered(store_name)
    due_state = _remembered(lambda key: str(DUE_STATES[key]))

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_("Case number"), _("Title"), _("Process"), _("Version"), _("Status"),
                     _("Outcome"), _("Store"), _("Region"), _("Started by"), _("Started"), _("Ended"),
                     _("Age (hours)"), _("Current steps"), _("Held by"), _("Due state"),
                     _("Earliest due")])
    yield "\ufeff" + flush()  # the first byte goes before any row is read
    pending = 0
    for r in rows:
        dues = [s.due_at for s in r.steps if s.due_at]
        writer.writerow((
            r.business_key or r.id, _cell(r.title), _cell(process(r.process_key, r.process_name)), r.version,
            status(r.status), outcome(r.outcome),
            _cell(f"{r.store_code} {store(r.store_code)}") if r.store_code else "", _cell(r.region),
            _cell(r.started_by_name or r.started_by), _local(r.started_at, tz), _local(r.ended_at, tz),
            f"{r.age.total_seconds() / 3600:.1f}",
            _cell("; ".join(step(r.process_key, s.element_id, s.name) for s in r.steps)),
            _cell("; ".join(s.assignee_name or s.assignee or f"({role(s.role)})" for s in r.steps)),
            due_state(r.due_state), _local(min(dues), tz) if dues else ""))
        pending += 1
        if pending == CSV_CHUNK:
            yield flush()
            pending = 0
    if pending:
        yield flush()
