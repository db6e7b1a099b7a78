"""Supervisor actions on a whole case: terminate, suspend, resume. Each needs a reason and is audited.

A mixin of `Engine`: the actions use its loading, running and writing steps, and only people who
supervise the case (directors, the customer-service manager for complaints and returns, the
region's supervisor) may take them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from . import state
from .errors import Conflict, InvalidData, PermissionDenied
from .models import COMPLETED, ERROR, RUNNING, SUSPENDED, TERMINATED, ProcessInstance, User
from .sync import sync_tasks
from .viewing import instance_view, may_supervise
from .views import InstanceView

if TYPE_CHECKING:
    from .runtime import Engine


class CaseActions:
    """Mixed into `Engine`."""

    def terminate(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        instance = self._supervised(session, instance_id, user, reason)
        if instance.status in (COMPLETED, TERMINATED):
            raise Conflict(f"case {instance_id} is already {instance.status}")
        parsed, workflow = self.load(session, instance)
        workflow.cancel()
        now = self.clock()
        instance.status, instance.ended_at, instance.next_timer_at = TERMINATED, now, None
        instance.outcome = instance.outcome or "terminated"  # an outcome already told stands
        instance.state = state.dumps(workflow)
        self._event(session, instance, "terminated", user, message=reason)
        with self._writes(instance):
            sync_tasks(session, instance, parsed, workflow, now, self.policy(instance.process_key),
                       self._event)
        self._touch(session, instance)
        return instance_view(session, instance)

    def suspend(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        instance = self._supervised(session, instance_id, user, reason)
        if instance.status != RUNNING:
            raise Conflict(f"only a running case can be suspended; case {instance_id} is {instance.status}")
        instance.status = SUSPENDED
        self._event(session, instance, "suspended", user, message=reason)
        self._touch(session, instance)
        return instance_view(session, instance)

    def resume(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> InstanceView:
        instance = self._supervised(session, instance_id, user, reason)
        if instance.status not in (SUSPENDED, ERROR):
            raise Conflict(f"only a suspended or failed case can be resumed; case {instance_id} is "
                           f"{instance.status}")
        parsed, workflow = self.load(session, instance)
        instance.status, instance.last_error = RUNNING, None
        self._event(session, instance, "resumed", user, message=reason)
        return instance_view(session, instance, self._advance(session, instance, parsed, workflow, user))

    def _supervised(self: Engine, session: Session, instance_id: int, user: User, reason: str) -> ProcessInstance:
        instance = self._instance(session, instance_id)
        if not may_supervise(session, user, instance):
            raise PermissionDenied(f"{user.username} may not act on case {instance_id}")
        if not (reason or "").strip():
            raise InvalidData("a reason is required", {"reason": "required"})
        return instance
