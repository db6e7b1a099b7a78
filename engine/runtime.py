"""The engine's commands: start, claim, unclaim, assign, complete, message, terminate, suspend, resume.

Each command loads what it needs, checks who is asking, changes the workflow, stores its state,
brings the human-task rows into step and appends audit events, all in the caller's SQL session.
The caller commits once; a refused command raises before anything is written, and a concurrent
second writer on the same case fails on the case's version column (see `case_rows`).
"""
from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Mapping
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import case_rows, case_size, forms, state
from .assignment import can_act
from .audit import PendingEvent, pending_events, reached_from, write_pending_events
from .case_actions import CaseActions
from .case_rows import CaseRow, TaskRow
from .clock import Clock, next_timer, system_clock
from .db import is_lock_conflict
from .errors import Conflict, ConcurrentUpdate, InvalidData, NotFound, PermissionDenied
from .incident_actions import IncidentActions
from .model_code import TIMER_TICK, running_model
from .models import COMPLETED, RUNNING, ProcessDefinition, ProcessInstance, ProcessVersion, Store, User
from .policy import Catalogue, OpenCatalogue, ProcessPolicy
from .scripting import ScriptLimits, make_script_engine
from .specs import ParsedProcess, SourceFile, SpecCache, parse_process_cached, task_property
from .start_rules import check_start, may_start
from .sync import TaskChanges, sync_tasks
from .views import InstanceView, TaskView
from .viewing import case_view, may_supervise, task_row_view

MAX_ROUNDS = 100  # rounds of engine steps per command; a round ends when only timers may move it on


class Engine(CaseActions, IncidentActions):
    """One per process (or per test): holds the clock, the catalogue and the parsed-spec cache."""

    def __init__(self, *, clock: Clock = system_clock, catalogue: Catalogue | None = None,
                 script_globals: Mapping[str, Any] | None = None, script_limits: ScriptLimits | None = None,
                 max_case_bytes: int = case_size.DEFAULT_MAX_CASE_BYTES) -> None:
        self.clock = clock
        self.max_case_bytes = max_case_bytes
        self.catalogue = catalogue or OpenCatalogue()
        self.specs = SpecCache()
        self.script_engine = make_script_engine(clock=clock, extra_globals=dict(script_globals or {}),
                                                limits=script_limits)

    # -- loading -------------------------------------------------------------------------------

    def process(self, session: Session, version_id: int) -> ParsedProcess:
        parsed = self.specs.get(version_id)
        if parsed is None:
            version = session.get(ProcessVersion, version_id)
            if version is None:
                raise NotFound(f"process version {version_id} does not exist")
            files = [SourceFile(f.kind, f.filename, f.content) for f in version.files]
            parsed = self.specs.put(version_id, parse_process_cached(version.definition.key, files))
        return parsed

    def policy(self, process_key: str) -> ProcessPolicy:
        return self.catalogue.policy(process_key) or ProcessPolicy(key=process_key)

    def latest_version(self, session: Session, process_key: str) -> ProcessVersion:
        version = session.scalar(
            select(ProcessVersion).join(ProcessDefinition)
            .where(ProcessDefinition.key == process_key,
                   ProcessVersion.version == ProcessDefinition.latest_version))
        if version is None:
            raise NotFound(f"no process {process_key!r} is deployed")
        return version

    def load(self, session: Session, instance: ProcessInstance | CaseRow) -> tuple[ParsedProcess, BpmnWorkflow]:
        """The case's parsed version and its workflow, restored from the stored state."""
        parsed = self.process(session, instance.version_id)
        workflow = state.loads(instance.state, parsed)
        workflow.script_engine = self.script_engine
        return parsed, workflow

    def _case(self, session: Session, case_id: int) -> CaseRow:
        case = case_rows.load_case(session, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    # -- starting --------------------------------------------------------------------------------

    def may_start(self, session: Session, user: User, process_key: str) -> bool:
        """The catalogue's starters for the process; without an entry, the roles its current model
        names (`starterRoles` on the start event), else everybody or nobody as the catalogue says."""
        policy = self.catalogue.policy(process_key)
        if policy is None:
            declared = self.process(session, self.latest_version(session, process_key).id).starter_roles()
            closed = getattr(self.catalogue, "closed_by_default", False)
            policy = ProcessPolicy(key=process_key,
                                   starter_roles=declared if declared is not None else frozenset() if closed else None)
        return may_start(policy, user)

    def start(self, session: Session, process_key: str, user: User, data: Mapping[str, Any] | None = None,
              ) -> InstanceView:
        version = self.latest_version(session, process_key)
        policy = self.policy(process_key)
        if not self.may_start(session, user, process_key):
            raise PermissionDenied(f"{user.username} may not start {process_key}")
        parsed = self.process(session, version.id)
        clean = forms.clean(parsed.start_form(), data or {}, now=self.clock())
        store = check_start(session, user, policy, clean)
        now = self.clock()
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=self.script_engine)
        start_task = workflow.get_next_task(state=TaskState.READY)
        start_task.data.update(clean)
        start_task.data["started_by"] = user.username
        case = CaseRow(
            version_id=version.id, version=version.version, process_key=process_key,
            title=policy.title(clean, parsed.name), status=RUNNING, store_code=store.code if store else None,
            region=store.region if store else None, started_by_id=user.id, started_by=user.username,
            started_at=now, updated_at=now, state="")
        case_rows.insert_case(session, case)
        case.business_key = policy.business_key(case.id, now)
        self._event(session, case, "started", user, message=case.title, data=clean)
        return case_view(case, self._advance(session, case, parsed, workflow, user))

    # -- task assignment -------------------------------------------------------------------------

    def _open_task(self, session: Session, task_id: int) -> tuple[TaskRow, CaseRow, list[TaskRow]]:
        """The open task, its running case, and the case's open task rows (for `_advance`)."""
        found = case_rows.load_task_and_open(session, task_id)
        if found is None:
            raise NotFound(f"task {task_id} does not exist")
        task, case, open_rows = found
        if task.state != "open":
            raise Conflict(f"task {task_id} is already {task.state}")
        if case.status != RUNNING:
            raise Conflict(f"case {case.id} is {case.status}")
        return task, case, open_rows

    def claim(self, session: Session, task_id: int, user: User) -> TaskView:
        task, case, _ = self._open_task(session, task_id)
        if not can_act(user, task):
            raise PermissionDenied(f"{user.username} may not take task {task_id}")
        if task.assignee_id not in (None, user.id):
            raise Conflict(f"task {task_id} is already claimed by {task.assignee}")
        if task.assignee_id is None:
            task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, self.clock()
            self._event(session, case, "task_claimed", user, task=task)
            self._store(session, case, TaskChanges(changed=[task]), with_state=False)
        return task_row_view(task, case)

    def unclaim(self, session: Session, task_id: int, user: User) -> TaskView:
        task, case, _ = self._open_task(session, task_id)
        if task.assignee_id is None:
            raise Conflict(f"task {task_id} is not claimed")
        if task.assignee_id != user.id and not may_supervise(session, user, case):
            raise PermissionDenied(f"{user.username} may not release task {task_id}")
        task.assignee_id, task.assignee, task.claimed_at = None, None, None
        self._event(session, case, "task_unclaimed", user, task=task)
        self._store(session, case, TaskChanges(changed=[task]), with_state=False)
        return task_row_view(task, case)

    def assign(self, session: Session, task_id: int, user: User, assignee_username: str,
               reason: str = "") -> TaskView:
        task, case, _ = self._open_task(session, task_id)
        if not may_supervise(session, user, case):
            raise PermissionDenied(f"{user.username} may not reassign task {task_id}")
        assignee = session.scalar(select(User).where(User.username == assignee_username, User.active.is_(True)))
        if assignee is None:
            raise InvalidData(f"unknown user {assignee_username!r}", {"user": "unknown user"})
        if not can_act(assignee, task):
            raise InvalidData(f"{assignee_username} does not hold the role for this task",
                              {"user": "does not hold the role for this task"})
        previous = task.assignee
        task.assignee_id, task.assignee, task.claimed_at = assignee.id, assignee.username, self.clock()
        self._event(session, case, "task_assigned", user, task=task, message=reason,
                    data={"from": previous, "to": assignee.username})
        self._store(session, case, TaskChanges(changed=[task]), with_state=False)
        return task_row_view(task, case)

    # -- completing ------------------------------------------------------------------------------

    def complete(self, session: Session, task_id: int, user: User, data: Mapping[str, Any] | None = None,
                 ) -> InstanceView:
        task, case, open_rows = self._open_task(session, task_id)
        if not can_act(user, task):
            raise PermissionDenied(f"{user.username} may not complete task {task_id}")
        if task.assignee_id not in (None, user.id):
            raise PermissionDenied(f"task {task_id} is claimed by {task.assignee}")
        parsed, workflow = self.load(session, case)
        spiff_task = _ready_task(workflow, task.spiff_task_id)
        now = self.clock()
        clean = forms.clean(parsed.form_for(task.element_id), data or {}, spiff_task.data, now=now)
        spiff_task.data.update(clean)
        spiff_task.data["completed_by"] = {**spiff_task.data.get("completed_by", {}), task.element_id: user.username}
        task.state, task.completed_at, task.completed_by_id, task.completed_by = "completed", now, user.id, user.username
        if task.assignee_id is None:
            task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, now
        task.draft = None
        self._event(session, case, "task_completed", user, task=task, message=task.name, data=clean)
        with running_model(self.clock, [spiff_task]):
            spiff_task.run()
        return case_view(case, self._advance(session, case, parsed, workflow, user, held=[task],
                                             stored_open=open_rows))

    def save_draft(self, session: Session, task_id: int, user: User, data: Mapping[str, Any]) -> TaskView:
        task, case, _ = self._open_task(session, task_id)
        if not can_act(user, task) or task.assignee_id not in (None, user.id):
            raise PermissionDenied(f"{user.username} may not work on task {task_id}")
        if not isinstance(data, Mapping):
            raise InvalidData("the draft must be a JSON object", {"_form": "must be an object"})
        forms.refuse_non_finite(data)
        task.draft = dict(data)
        if not case_rows.save_draft(session, task, user.id):
            raise Conflict(f"task {task_id} was completed or taken by someone else; reload")
        return task_row_view(task, case)

    # -- events ------------------------------------------------------------------------------------

    def send_message(self, session: Session, instance_id: int, name: str, payload: Any = None,
                     user: User | None = None) -> InstanceView:
        case = self._case(session, instance_id)
        if case.status != RUNNING:
            raise Conflict(f"case {instance_id} is {case.status}")
        parsed, workflow = self.load(session, case)
        waiting = {e.name for e in workflow.waiting_events() if "Message" in e.event_type}
        if name not in waiting:
            raise Conflict(f"case {instance_id} is not waiting for message {name!r}")
        self._event(session, case, "message_received", user, message=name, data={"payload": payload})
        with running_model(self.clock):
            workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
        return case_view(case, self._advance(session, case, parsed, workflow, user))

    def fire_timers(self, session: Session, instance_id: int, now: datetime) -> bool:
        """Fire whatever timers of one case are due at `now`; False when none is (any more) due.

        Used by the timer scheduler; the case is read afresh, so one another scheduler has just
        fired is left alone. SpiffWorkflow fires a timer only when its clock is strictly past the
        due time, while the scheduler takes a case once `next_timer_at <= now`; the timers are looked
        at a microsecond later, so a case taken at its due time moves then, not one run later.
        """
        case = self._case(session, instance_id)
        if case.status != RUNNING or case.next_timer_at is None or case.next_timer_at > now:
            return False
        parsed, workflow = self.load(session, case)
        with running_model(lambda: now + TIMER_TICK):
            workflow.refresh_timers()
        self._advance(session, case, parsed, workflow, None, clock=lambda: now)
        return True

    # -- shared steps --------------------------------------------------------------------------------

    def _advance(self, session: Session, case: CaseRow, parsed: ParsedProcess, workflow: BpmnWorkflow,
                 user: User | None, clock: Callable[[], datetime] | None = None, held: Iterable[TaskRow] = (),
                 stored_open: list[TaskRow] | None = None) -> list[TaskRow]:
        """Run the workflow until it waits, then store it with its task rows and events.

        `held` are task rows the command changed before running the workflow, `stored_open` the
        case's open rows if the command has read them (see `sync_tasks`); returns the open rows."""
        clock = clock or self.clock
        reached: list[Any] = []
        running: list[Any] = []

        def did_complete(task: Any) -> None:
            if task.task_spec.bpmn_id and not task.task_spec.manual:
                reached.append(task)

        with running_model(clock, running):
            workflow.do_engine_steps(will_complete_task=running.append, did_complete_task=did_complete)
            # do_engine_steps looks at the timers last and leaves the ones already due READY, with
            # no waiting timer left to schedule them: run on until nothing automatic is ready.
            for _ in range(MAX_ROUNDS):
                if workflow.get_next_task(state=TaskState.READY, manual=False) is None:
                    break
                workflow.do_engine_steps(will_complete_task=running.append, did_complete_task=did_complete)
        now = clock()
        for task in reached:
            spec = task.task_spec
            self._event(session, case, "step", None, element=spec.bpmn_id, message=spec.bpmn_name or "",
                        data={"from": reached_from(task)})
            outcome = task_property(spec, "outcome")
            if outcome and case.outcome is None:
                # The requester hears the outcome when the main path ends, even while a side
                # branch (quality feedback, an escalation) still keeps the process running.
                self._record_outcome(session, case, outcome, spec.bpmn_id)
        if workflow.is_completed():
            case.status, case.ended_at = COMPLETED, now
            if case.outcome is None:
                end = _final_outcome(workflow)
                if end is not None:
                    self._record_outcome(session, case, task_property(end.task_spec, "outcome"),
                                         end.task_spec.bpmn_id)
                else:
                    case.outcome = "completed"
            self._apply_store_status(session, case, workflow.data)
            self._event(session, case, "completed", None, message=case.outcome)
        case.state = case_size.checked_dumps(workflow, [*_spiff_tasks(workflow, held), *reached],
                                             self.max_case_bytes)
        case.serializer_version = state.SERIALIZER_VERSION
        case.next_timer_at = next_timer(workflow) if case.status == RUNNING else None
        changes = sync_tasks(session, case, workflow, now, self.policy(case.process_key), self._event, held,
                             stored_open)
        self._store(session, case, changes, now=now)
        return changes.still_open

    def _record_outcome(self, session: Session, case: CaseRow, outcome: str, element: str) -> None:
        case.outcome = outcome
        self._event(session, case, "outcome", None, element=element, message=outcome,
                    data={"outcome": outcome, "notify": case.started_by_id})

    def _apply_store_status(self, session: Session, case: CaseRow, data: Mapping[str, Any]) -> None:
        status, code = data.get("store_status"), data.get("store_code")
        if status in ("planned", "open", "closed") and code:
            store = session.get(Store, code)
            if store is not None and store.status != status:
                store.status = status
                self._event(session, case, "store_status", None, message=f"{code} → {status}",
                            data={"store_code": code, "status": status})

    def _store(self, session: Session, case: CaseRow, changes: TaskChanges, *, with_state: bool = True,
               now: datetime | None = None) -> None:
        """Write the case (moving its version on), its changed and new task rows, and the events."""
        case.updated_at = now or self.clock()
        with self._writes(case):
            case_rows.save_case(session, case, with_state=with_state)
            case_rows.save_tasks(session, changes.changed)
            case_rows.insert_tasks(session, changes.created)
            write_pending_events(session)

    @contextlib.contextmanager
    def _writes(self, case: CaseRow) -> Iterator[None]:
        """Turn a write that waited on or lost to another transaction on the case into ConcurrentUpdate."""
        try:
            yield
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            raise ConcurrentUpdate(f"case {case.id} is being changed by someone else; try again") from None

    def _event(self, session: Session, case: CaseRow | None, event_type: str, user: User | None,
               *, task: TaskRow | None = None, element: str | None = None, message: str = "",
               data: dict[str, Any] | None = None) -> None:
        pending_events(session).append(PendingEvent(
            instance_id=case.id if case else None, task=task, event_type=event_type,
            element_id=element or (task.element_id if task else None), actor_id=user.id if user else None,
            at=self.clock(), message=message or "", data=data))


def _ready_task(workflow: BpmnWorkflow, spiff_task_id: str) -> Any:
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except Exception:
        raise Conflict("the task no longer exists in the case; reload") from None
    if task.state != TaskState.READY:
        raise Conflict(f"the task is {TaskState.get_name(task.state).lower()}, not ready; reload")
    return task


def _final_outcome(workflow: BpmnWorkflow) -> Any:
    """The last completed element of the process itself that says how the case ended (`outcome`),
    for a case that completes without its outcome having been recorded as its end event passed."""
    done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if task_property(t.task_spec, "outcome")]
    return max(done, key=lambda t: t.last_state_change) if done else None


def _spiff_tasks(workflow: BpmnWorkflow, rows: Iterable[TaskRow]) -> list[Any]:
    return [workflow.get_task_from_id(UUID(row.spiff_task_id)) for row in rows]
