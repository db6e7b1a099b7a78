"""Supervisor actions on a whole case: terminate, suspend, resume. Each needs a reason and is audited.

A mixin of `Engine`: the actions use its loading, running and writing steps, and only people who
supervise the case (directors, the customer-service manager for complaints and returns, the
region's supervisor) may take them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from . import case_rows, incidents, state
from .case_rows import CaseRow
from .errors import Conflict, InvalidData, PermissionDenied
from .incidents import IncidentOpen
from .models import COMPLETED, ERROR, RUNNING, SUSPENDED, TERMINATED, User
from .sync import TaskChanges, sync_tasks
from .viewing import case_view, may_supervise
from .views import InstanceView

if TYPE_CHECKING:
    from .runtime import Engine


class CaseActions:
    """Mixed into `Engine`."""

    def terminate(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        case = self._supervised(session, instance_id, user, reason)
        if case.status in (COMPLETED, TERMINATED):
            raise Conflict(f"case {instance_id} is already {case.status}")
        _, workflow = self.load(session, case)
        workflow.cancel()
        now = self.clock()
        case.status, case.ended_at, case.next_timer_at = TERMINATED, now, None
        case.outcome = case.outcome or "terminated"  # an outcome already told stands
        case.state = state.dumps(workflow)
        self._event(session, case, "terminated", user, message=reason)
        incidents.settle_open(session, case.id, user, incidents.TERMINATED, reason, now)
        changes = sync_tasks(session, case, workflow, now, self.policy(case.process_key), self._event)
        self._store(session, case, changes, now=now)
        return case_view(case, changes.still_open)

    def suspend(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        case = self._supervised(session, instance_id, user, reason)
        if case.status != RUNNING:
            raise Conflict(f"only a running case can be suspended; case {instance_id} is {case.status}")
        case.status = SUSPENDED
        self._event(session, case, "suspended", user, message=reason)
        self._store(session, case, TaskChanges(), with_state=False)
        return case_view(case, case_rows.open_tasks(session, case.id))

    def resume(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        case = self._supervised(session, instance_id, user, reason)
        if case.status not in (SUSPENDED, ERROR):
            raise Conflict(f"only a suspended or failed case can be resumed; case {instance_id} is "
                           f"{case.status}")
        if case.status == ERROR and incidents.open_incidents(session, instance_id):
            raise IncidentOpen(f"case {instance_id} is stopped on an incident; an administrator retries or "
                               "resolves it")
        parsed, workflow = self.load(session, case)
        case.status, case.last_error = RUNNING, None
        self._event(session, case, "resumed", user, message=reason)
        return case_view(case, self._advance(session, case, parsed, workflow, user))

    def _supervised(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> CaseRow:
        case = self._case(session, instance_id)
        if not may_supervise(session, user, case):
            raise PermissionDenied(f"{user.username} may not act on case {instance_id}")
        if not (reason or "").strip():
            raise InvalidData("a reason is required", {"reason": "required"})
        return case
