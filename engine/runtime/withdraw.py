"""撤回: the starter takes their case back, with a reason, while it is still running or suspended
and has not passed a point of no return (after the refund is paid, say).

The case ends with status `withdrawn`, distinct from a supervisor's `terminated`: its workflow is
cancelled, its open tasks closed, and the people who held them are named in the `withdrawn` event
so that they can be told (the case page shows it until notifications do).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from engine.bpmn import state
from engine.bpmn.specs import point_of_no_return
from engine.errors import Conflict, PermissionDenied
from engine.models import SEED_MARK, WITHDRAWABLE, WITHDRAWN, User
from engine.views import CaseView

from . import case_rows
from .case_rows import case_row_view
from .incidents import checked_reason
from .steps import record, recorder, store
from .sync import sync_tasks

if TYPE_CHECKING:
    from .engine import Engine



def withdraw(engine: Engine, session: Session, instance_id: int, user: User, reason: str | None) -> CaseView:
    case = engine.case_row(session, instance_id)
    if case.started_by_id != user.id:
        raise PermissionDenied(f"only the starter may withdraw case {instance_id}")
    reason = checked_reason(reason)
    if case.status not in WITHDRAWABLE or case.serializer_version == SEED_MARK:
        raise Conflict(f"case {instance_id} is {case.status}; only a running or suspended case can be "
                       "withdrawn")
    _, workflow = engine.load(session, case)
    passed = point_of_no_return(workflow)
    if passed is not None:
        step = passed.task_spec.bpmn_name or passed.task_spec.bpmn_id
        raise Conflict(f"case {instance_id} has passed “{step}”, after which it cannot be withdrawn")
    open_rows = case_rows.open_tasks(session, case.id)
    workflow.cancel()
    now = engine.clock()
    case.status, case.ended_at, case.next_timer_at = WITHDRAWN, now, None
    case.outcome = case.outcome or WITHDRAWN
    case.state = state.dumps(workflow)
    holders = sorted({t.assignee for t in open_rows if t.assignee})
    record(session, case, "withdrawn", user, now, message=reason,
           data={"holders": holders, "steps": [t.name for t in open_rows]})
    changes = sync_tasks(session, case, workflow, now, engine.policy(case.process_key),
                         recorder(engine.clock), stored_open=open_rows)
    store(session, case, changes, now=now, zone=engine.zone)
    return case_row_view(case, changes.still_open)
