"""The task detail the API returns: a task with its form, the case so far, its history, what I may do
with it, and the decision its form offers (the buttons a client shows, 同意/驳回)."""
from __future__ import annotations

from engine.queries import TASK_ACTIONS

from .schemas import FREE, TASK, TEXT, USERNAME, Schema, closed, nullable, ref

SCHEMAS: dict[str, Schema] = {
    "TaskDetail": closed({
        **TASK,
        "form": {"type": ["object", "null"], "description": "the step's form as JSON Schema"},
        "case": {**FREE, "description": "the data the form starts from: the case so far"},
        "history": {"type": "array", "items": ref("Event")},
        "may_act": {"type": "boolean", "description": "whether I may complete the step now"},
        "draft": {"type": ["object", "null"], "description": "the values saved but not yet submitted"},
        "actions": {"type": "array", "items": {"type": "string", "enum": list(TASK_ACTIONS)},
                    "description": "what I may do with the task now"},
        "send_back_targets": {"type": "array", "items": ref("SendBackTarget"),
                              "description": "the earlier steps I may send the case back to (退回), newest "
                                             "first; empty unless I may act on the task"},
        "notice": {**nullable(TEXT), "description": "why the task is open again: the reason it was sent "
                                                    "back here (while it is open)"},
        "approvals": {"type": "array", "items": ref("Approval"),
                      "description": "the people asked to approve this step (or, for an approval, its step)"},
        "holder": {"anyOf": [ref("Task"), {"type": "null"}],
                   "description": "an approval's step, whose data `case` shows; null for a step"},
        "decision": {"anyOf": [ref("FormDecision"), {"type": "null"}],
                     "description": "the form's one decision as buttons (同意/驳回) while I may act; "
                                    "complete the task with its field set to a choice's value"},
    }, "A task with its form, the case data and the case's history."),
    "SendBackTarget": closed({
        "element_id": {**TEXT, "description": "the step's BPMN id: the `to` of a send-back"},
        "name": TEXT,
        "completed_by": {**nullable(USERNAME), "description": "who did it; the step reopens for them"},
    }, "An earlier completed step on the path that led to a task."),
    "FormDecision": closed({
        "field": {**TEXT, "description": "the form field a choice sets"},
        "title": TEXT,
        "choices": {"type": "array", "items": ref("FormDecisionChoice")},
        "comment_field": {**nullable(TEXT), "description": "the form's comment field beside it, if any"},
        "only": {"type": "boolean",
                 "description": "the form is this decision and its comment alone: decidable from a list"},
    }, "The decision a step's form offers, read off its JSON Schema."),
    "FormDecisionChoice": closed({
        "value": {"type": ["boolean", "string", "number"],
                  "description": "what the choice writes into the field"},
        "title": TEXT,
        "meaning": {"type": "string", "enum": ["approve", "reject", "neutral"]},
        "comment_required": {"type": "boolean",
                             "description": "the form refuses this choice without the comment"},
        "asks_comment": {"type": "boolean",
                         "description": "ask for the comment first (it is required, or the choice rejects)"},
    }, "One choice of a form's decision."),
}
