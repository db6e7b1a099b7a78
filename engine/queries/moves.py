"""Which of the everyday moves on a whole case a person may make now (撤回 withdraw, 抄送 cc, 催办
urge), and how often each waiting step has been urged: what the case page offers and the task
lists mark. The commands check again when they run."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access.holders import took_part
from engine.access.visibility import may_supervise
from engine.bpmn.loading import CaseLoader
from engine.bpmn.specs import point_of_no_return
from engine.models import RUNNING, SEED_MARK, WITHDRAWABLE, AuditEvent, HumanTask, ProcessInstance, User

URGE_EVENT = "task_urged"


@dataclass(frozen=True)
class CaseMoves:
    withdraw: bool = False
    #: the step whose completion put withdrawing out of reach (the starter is told why there is no button)
    no_return_step: str | None = None
    cc: bool = False
    urge: frozenset[int] = field(default_factory=frozenset)  # the open tasks I may urge


def case_moves(engine: CaseLoader, session: Session, user: User, instance: ProcessInstance) -> CaseMoves:
    seeded = instance.serializer_version == SEED_MARK
    starter = instance.started_by_id == user.id
    supervises = may_supervise(session, user, instance, rules=engine.supervision)
    withdraw, no_return = False, None
    if starter and instance.status in WITHDRAWABLE and not seeded:
        _, workflow = engine.load(session, instance)
        passed = point_of_no_return(workflow)
        withdraw = passed is None
        no_return = None if passed is None else (passed.task_spec.bpmn_name or passed.task_spec.bpmn_id)
    urge: frozenset[int] = frozenset()
    if (starter or supervises) and instance.status == RUNNING:
        urge = frozenset(session.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == instance.id, HumanTask.state == "open",
            (HumanTask.assignee_id != user.id) | HumanTask.assignee_id.is_(None))))
    cc = starter or supervises or took_part(session, user, instance, instance.started_by_id,
                                            rules=engine.supervision)
    return CaseMoves(withdraw=withdraw, no_return_step=no_return, cc=cc and not seeded, urge=urge)


def urge_counts(session: Session, task_ids: Iterable[int | None]) -> dict[int, int]:
    """Task id → how many times it has been urged (for the "催办 ×2" mark)."""
    ids = sorted({i for i in task_ids if i is not None})
    if not ids:
        return {}
    return {task_id: int(n) for task_id, n in session.execute(
        select(AuditEvent.task_id, func.count()).where(AuditEvent.event_type == URGE_EVENT,
                                                       AuditEvent.task_id.in_(ids))
        .group_by(AuditEvent.task_id)) if task_id is not None}
