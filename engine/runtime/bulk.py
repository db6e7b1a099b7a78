"""Commands on many cases or tasks at once, and the single-case actions the supervisor's list takes.

Each item succeeds or fails on its own and reports how (`BulkResult`); the caller commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.grants import holds_role_for
from engine.access.visibility import visible_case, visible_task
from engine.errors import ConcurrentUpdate, Conflict, EngineError, InvalidData, NotFound, PermissionDenied
from engine.models import SEED_MARK, HumanTask, User
from engine.views import CaseView, TaskView

from . import incidents
from .engine import Engine

CASE_ACTIONS = ("terminate", "suspend", "resume")


BULK_ACTIONS = CASE_ACTIONS + ("reassign",)


MAX_BULK = 200  # items of one bulk command: cases to act on, tasks to claim


class SeededCase(Conflict):
    """Seeded history has no workflow behind it, so commands that run the workflow cannot apply."""

    code = "seeded"


@dataclass(frozen=True)
class BulkResult:
    """How one item of a bulk command went: the case's (or, for claims, the task's) id, and why it
    was refused if it was."""

    id: int
    ok: bool
    message: str = ""
    code: str = ""  # the refusal's EngineError code: not_found, forbidden, conflict, seeded, taken, ...


def case_action(engine: Engine, session: Session, user: User, instance_id: int, action: str,
                reason: str | None) -> CaseView:
    """Terminate, suspend or resume one case: visibility first (404), then the engine's own checks
    (supervision 403, state 409), with the reason every supervisor action must give."""
    if action not in CASE_ACTIONS:
        raise InvalidData(f"unknown action {action!r}", {"action": f"one of {', '.join(CASE_ACTIONS)}"})
    reason = incidents.checked_reason(reason)
    instance = visible_case(session, user, instance_id, rules=engine.supervision)
    if instance.serializer_version == SEED_MARK:
        raise SeededCase(f"case {instance_id} is seeded history without a workflow to change")
    return getattr(engine, action)(session, instance_id, user, reason)


def reassign(engine: Engine, session: Session, user: User, task_id: int, username: str | None,
             reason: str | None, instance_id: int | None = None) -> TaskView:
    """Give an open task to someone who holds its role; only a supervisor of its case may."""
    reason = incidents.checked_reason(reason)
    name = (username or "").strip()
    if not name:
        raise InvalidData("choose who gets the task", {"user": "required"})
    task = session.get(HumanTask, task_id)
    if task is None or instance_id not in (None, task.instance_id):
        raise NotFound(f"task {task_id} does not exist")
    visible_case(session, user, task.instance_id, rules=engine.supervision)
    return engine.assign(session, task_id, user, name, reason)


def bulk_action(engine: Engine, session: Session, user: User, action: str, ids: Sequence[int],
                reason: str | None, assignee: str | None = None) -> list[BulkResult]:
    """The same action on many cases; each case succeeds or fails on its own (a savepoint each), and
    the caller commits once. Reassigning gives every open task of a case that `assignee` may take."""
    if action not in BULK_ACTIONS:
        raise InvalidData(f"unknown action {action!r}", {"action": f"one of {', '.join(BULK_ACTIONS)}"})
    reason = incidents.checked_reason(reason)
    unique = _checked_ids(ids, "cases")
    target = None
    if action == "reassign":
        target = session.scalar(select(User).where(User.username == (assignee or "").strip(),
                                                   User.active.is_(True)))
        if target is None:
            raise InvalidData("choose who gets the tasks", {"user": "unknown user"})
    results = []
    for instance_id in unique:
        savepoint = session.begin_nested()
        try:
            if target is not None:  # action == "reassign"
                message = _reassign_case(engine, session, user, instance_id, target, reason)
            else:
                case_action(engine, session, user, instance_id, action, reason)
                message = ""
            savepoint.commit()
            results.append(BulkResult(instance_id, True, message))
        except EngineError as exc:
            savepoint.rollback()
            results.append(BulkResult(instance_id, False, exc.message, exc.code))
    return results


def _reassign_case(engine: Engine, session: Session, user: User, instance_id: int, target: User,
                   reason: str) -> str:
    instance = visible_case(session, user, instance_id, rules=engine.supervision)
    if instance.status != "running":
        raise Conflict(f"case {instance_id} is {instance.status}")
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                    HumanTask.state == "open").order_by(HumanTask.id)).all()
    mine = [t for t in tasks if holds_role_for(target, t)]
    if not mine:
        raise Conflict(f"case {instance_id} has no open task {target.username} may take")
    for task in mine:
        engine.assign(session, task.id, user, target.username, reason)
    return f"{len(mine)}/{len(tasks)}"


def claim_many(engine: Engine, session: Session, user: User, task_ids: Iterable[int]) -> list[BulkResult]:
    """Claim each task that is still free; report the ones someone else took or that are not ours.

    A refusal (already claimed, not my role, gone) is checked before anything is written, so the
    others go through in the same transaction. A concurrent writer still aborts the whole batch.
    """
    results = []
    for task_id in _checked_ids(task_ids, "tasks"):
        try:
            visible_task(session, user, task_id, rules=engine.supervision, now=engine.clock())
            engine.claim(session, task_id, user)
        except ConcurrentUpdate:
            raise
        except Conflict as exc:
            results.append(BulkResult(task_id, False, exc.message, "taken"))
        except (PermissionDenied, NotFound) as exc:
            results.append(BulkResult(task_id, False, exc.message, "not_allowed"))
        else:
            results.append(BulkResult(task_id, True))
    return results


def _checked_ids(ids: Iterable[Any], what: str) -> list[int]:
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise InvalidData(f"select at least one of the {what}", {"ids": "required"})
    if len(unique) > MAX_BULK:
        raise InvalidData(f"at most {MAX_BULK} {what} at once", {"ids": f"at most {MAX_BULK}"})
    return unique
