"""What the task pages show, gathered in one call per page: plain functions with explicit arguments
(the engine, the SQL session, the person), never reading the request and never committing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine, access, queries
from engine.attachments import AttachmentView, list_attachments
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, User
from engine.queries import (
    ApprovalView,
    CommentView,
    DecisionOffer,
    case_comments,
    decision_offer,
    display_names,
)
from engine.views import CaseView, TaskView, case_view

from ..ui.approval_text import mentioned
from ..ui.case_text import HistoryEntry, Shown, case_items, form_items, history, label_index
from ..ui.names import store_choices


@dataclass(frozen=True)
class TaskPage:
    task: TaskView
    instance: CaseView
    form: dict[str, Any] | None
    values: dict[str, Any]
    may_act: bool
    mine: bool
    may_claim: bool
    may_unclaim: bool
    actions: tuple[str, ...]
    context: list[Shown]
    summary: list[Shown]
    history: list[HistoryEntry]
    comments: list[CommentView]
    attachments: list[AttachmentView]
    people: dict[str, str] = field(default_factory=dict)
    urged: int = 0  # times the step was urged (催办)
    colleagues: list[tuple[str, str]] = field(default_factory=list)  # whom I may cc, when I may
    send_back_targets: tuple[queries.SendBackTarget, ...] = ()
    notice: str | None = None
    approvals: tuple[ApprovalView, ...] = ()  # 加签: asked on this step (or on an approval's step)
    holder: TaskView | None = None  # an approval's step
    approver_choices: list[tuple[str, str]] = field(default_factory=list)  # (username, name) to ask
    step_values: list[Shown] = field(default_factory=list)  # what an approver (or a waiting holder) reads
    #: (username, name) of the colleagues the task may be transferred to (转交), when it may be.
    transfer_to: list[tuple[str, str]] = field(default_factory=list)
    #: The form's one decision as buttons (同意/驳回), while this person may complete the step.
    decision: DecisionOffer | None = None


def task_page(engine: Engine, session: Session, user: User, task_id: int) -> TaskPage:
    """Everything the task page shows; NotFound when the person may not see the task."""
    # held while the page is built: the session keeps the rows task_detail reads (the task, its case)
    # only as long as someone holds them, and the page reads both again (issue 15: 2 queries fewer)
    held = session.get(HumanTask, task_id)
    detail = queries.task_detail(engine, session, user, task_id)
    task = detail.task
    instance = held.instance if held is not None else session.get(ProcessInstance, task.instance_id)
    parsed = engine.process(session, instance.version_id)
    index = label_index(parsed.forms)
    events = list(detail.history)  # task_detail read them: not again
    comments = case_comments(session, instance.id)
    handed = [(e.data or {}).get("to") for e in events
              if e.event_type in ("task_assigned", "task_transferred")]
    told = [n for e in events if e.event_type in ("case_cc", "task_urged", "withdrawn")
            for n in (e.data or {}).get("to", (e.data or {}).get("holders", []))]
    people = display_names(session, [e.actor for e in events] + told + handed
                           + [task.assignee, instance.started_by.username if instance.started_by else None,
                              detail.task.on_behalf_of]
                           + [t.completed_by for t in detail.send_back_targets]
                           + mentioned(events) + [a.username for a in detail.approvals]
                           + [detail.holder.assignee if detail.holder else None])
    steps = {e.element_id: parsed.form_for(e.element_id) for e in events
             if e.event_type in ("task_completed", "task_submitted") and e.element_id}
    values = dict(detail.case)
    if detail.draft:
        values.update(detail.draft)
    mine = task.assignee == user.username and task.state == "open"
    context_keys = [k for k, p in ((detail.form or {}).get("properties") or {}).items()
                    if isinstance(p, Mapping) and p.get("readOnly")]
    # every other active person: whom I may cc, and (less those asked already) ask to approve
    others = (queries.colleagues(session, user) if "cc" in detail.actions or "add_approvers" in detail.actions
              else [])
    return TaskPage(
        task=task, instance=case_view(session, instance), form=detail.form, values=values,
        may_act=detail.may_act, mine=mine, may_claim="claim" in detail.actions,
        may_unclaim="release" in detail.actions, actions=detail.actions,
        context=form_items(detail.form, detail.case, readonly_only=True),
        summary=[s for s in case_items(index, detail.case) if s.key not in context_keys],
        history=history(events, task.process_key, people, steps, parsed.start_form(), parsed.element_names(),
                        instance.version_id),
        comments=comments, attachments=list_attachments(session, instance.id), people=people,
        urged=queries.urge_counts(session, [task.id]).get(task.id, 0),
        colleagues=others if "cc" in detail.actions else [],
        send_back_targets=detail.send_back_targets, notice=detail.notice,
        approvals=detail.approvals, holder=detail.holder,
        step_values=[s for s in form_items(detail.form, values) if s.key not in context_keys]
        if task.kind == "approval" or task.waiting_on == "approval" else [],
        approver_choices=_approver_choices(others, detail) if "add_approvers" in detail.actions else [],
        transfer_to=_colleagues(session, task, user) if "transfer" in detail.actions else [],
        decision=decision_offer(detail.form) if detail.may_act else None)


def _approver_choices(others: list[tuple[str, str]], detail: queries.TaskDetail) -> list[tuple[str, str]]:
    """Everyone active who could be asked (`others`: everyone but me), not asked already on this step."""
    asked = {a.username for a in detail.approvals if a.state in ("open", "pending")}
    return [(u, d) for u, d in others if u not in asked]


def _colleagues(session: Session, task: TaskView, user: User) -> list[tuple[str, str]]:
    """Who else holds the step's role in the case's scope: the people it may be handed to."""
    row = session.get(HumanTask, task.id)
    return [(u.username, u.display_name or u.username) for u in access.eligible_users(session, row)
            if u.username not in (task.assignee, user.username)]


def filter_options(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Processes and stores for the list's filter menus, as (value, Chinese name) pairs."""
    processes = [(d.key, d.name) for d in session.scalars(select(ProcessDefinition)
                                                          .order_by(ProcessDefinition.key))]
    return processes, store_choices()  # the stores from the names' read of them (one per request)
