"""The engine's commands: start, claim, unclaim, assign, complete, save a draft, message, fire
timers, terminate, suspend, resume, and an administrator's retry or resolution of an incident.

Each command loads what it needs, checks who is asking, changes the workflow, stores its state,
brings the human-task rows into step and appends audit events, all in the caller's SQL session.
The caller commits once; a refused command raises before anything is written, and a concurrent
second writer on the same case fails on the case's version column (see `case_rows`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_act, holds_role_for, may_supervise, sees_task, stands_in_for
from engine.bpmn import state
from engine.bpmn.properties import ProcessTextBook, ProcessTexts, merged_policy, process_texts
from engine.bpmn.retirement import retired_refusal
from engine.bpmn.schedules import open_timer_starts
from engine.bpmn.specs import ParsedProcess, SpecCache
from engine.bpmn.versions import latest_version
from engine.clock import Clock, system_clock
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.forms import validation as forms
from engine.models import (
    ENDED,
    ERROR,
    RUNNING,
    SUSPENDED,
    TERMINATED,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.policy import Catalogue, OpenCatalogue, ProcessPolicy, SupervisionRules
from engine.sandbox.functions import DEFAULT_ZONE
from engine.sandbox.model_code import TIMER_TICK, running_model
from engine.sandbox.script_engine import ScriptLimits, make_script_engine
from engine.views import CaseView, TaskView

from . import approvals, approvers, case_rows, case_size, incidents, rollups
from .case_rows import CaseRow, TaskRow, case_row_view, task_row_view
from .cc_rows import cc_on_completion
from .http_connector import ConnectorSettings
from .incidents import IncidentOpen
from .start_rules import check_start, has_store_of_kind, may_start, store_kinds
from .steps import Run, advance, ready_task, record, recorder, store
from .sync import TaskChanges, sync_tasks


class Engine:
    """One per process (or per test): holds the clock, the catalogue and the parsed-spec cache.

    `zone` is the business time zone: model scripts' `now()`, `today()` and date helpers and form
    rules read dates in it, whatever zone the server runs in (UTC unless the deployment names one).
    `connectors` says where service tasks' `http` connector may call (nowhere unless configured).
    """

    def __init__(self, *, clock: Clock = system_clock, catalogue: Catalogue | None = None,
                 script_globals: Mapping[str, Any] | None = None, script_limits: ScriptLimits | None = None,
                 max_case_bytes: int = case_size.DEFAULT_MAX_CASE_BYTES,
                 zone: ZoneInfo = DEFAULT_ZONE, connectors: ConnectorSettings | None = None) -> None:
        self.clock = clock
        self.connectors = connectors or ConnectorSettings()
        self.zone = zone
        self.max_case_bytes = max_case_bytes
        self.catalogue = catalogue or OpenCatalogue()
        self.supervision: SupervisionRules = getattr(self.catalogue, "supervision", SupervisionRules())
        self.specs = SpecCache()
        self.script_engine = make_script_engine(clock=clock, extra_globals=dict(script_globals or {}),
                                                limits=script_limits, zone=zone)

    # -- loading -------------------------------------------------------------------------------

    def process(self, session: Session, version_id: int) -> ParsedProcess:
        return self.specs.get(version_id) or self.specs.load(session, version_id)

    def policy(self, process_key: str, session: Session | None = None) -> ProcessPolicy:
        """How a case of the process starts: with `session`, what its latest deployed version declares
        (process properties) under the catalogue's hooks and overrides; without, the catalogue's alone
        (enough for a running case, whose steps are timed by its own version's model)."""
        if session is None:
            return self.catalogue.policy(process_key) or ProcessPolicy(key=process_key)
        return self._declared_policy(session, process_key, self.latest_version(session, process_key))

    def _declared_policy(self, session: Session, process_key: str, version: ProcessVersion) -> ProcessPolicy:
        declared = self.process(session, version.id).declared_policy()
        return merged_policy(declared, self.catalogue.policy(process_key),
                             getattr(self.catalogue, "closed_by_default", False))

    def process_texts(self, session: Session, process_key: str) -> ProcessTexts | None:
        """The names and description the latest deployed version gives the process and its steps
        (None when it is not deployed): the UI's words come from the model, not from code."""
        try:
            parsed = self.process(session, self.latest_version(session, process_key).id)
        except NotFound:
            return None
        return process_texts(parsed.name, parsed.process_properties(), parsed.english_names())

    def latest_version(self, session: Session, process_key: str) -> ProcessVersion:
        return latest_version(session, process_key)

    def all_process_texts(self, session: Session) -> dict[str, ProcessTexts]:
        """`process_texts` of every deployed process from one query (a page naming many processes
        reads their latest versions once, not once per process)."""
        rows = session.execute(select(ProcessDefinition.key, ProcessVersion.id).join(ProcessVersion).where(
            ProcessVersion.version == ProcessDefinition.latest_version)).all()
        found: dict[str, ProcessTexts] = {}
        for key, version_id in rows:
            parsed = self.process(session, version_id)
            found[key] = process_texts(parsed.name, parsed.process_properties(), parsed.english_names())
        return found

    def process_text_book(self, session: Session) -> ProcessTextBook:
        """The texts of every deployed version from one query: pages name a case's steps as the
        case's own version names them (`ProcessTextBook`)."""
        rows = session.execute(select(ProcessDefinition.key, ProcessVersion.version, ProcessVersion.id,
                                      ProcessDefinition.latest_version).join(ProcessVersion)).all()

        def texts_of(version_id: int) -> ProcessTexts:
            parsed = self.process(session, version_id)
            return process_texts(parsed.name, parsed.process_properties(), parsed.english_names())
        return ProcessTextBook([(key, number, id_, latest) for key, number, id_, latest in rows], texts_of)

    def load(self, session: Session, instance: ProcessInstance | CaseRow
             ) -> tuple[ParsedProcess, BpmnWorkflow]:
        """The case's parsed version and its workflow, restored from the stored state."""
        parsed = self.process(session, instance.version_id)
        workflow = state.loads(instance.state, parsed)
        workflow.script_engine = self.script_engine
        approvers.attach(workflow, session, instance.store_code, instance.region)
        return parsed, workflow

    def run_for(self, case: CaseRow, clock: Callable[[], datetime] | None = None) -> Run:
        return Run(clock=clock or self.clock, stamp=self.clock, policy=self.policy(case.process_key),
                   max_case_bytes=self.max_case_bytes, zone=self.zone)

    def case_row(self, session: Session, case_id: int) -> CaseRow:
        case = case_rows.load_case(session, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    # -- starting --------------------------------------------------------------------------------

    def may_start(self, session: Session, user: User, process_key: str) -> bool:
        """The starters the current model names (`starterRoles`), unless the catalogue overrides them,
        else everybody or nobody as the catalogue says."""
        policy = self.policy(process_key, session)
        return may_start(policy, user) and has_store_of_kind(session, user, policy)

    def start(self, session: Session, process_key: str, user: User, data: Mapping[str, Any] | None = None,
              ) -> CaseView:
        version = self.latest_version(session, process_key)  # with its definition: one read
        policy = self._declared_policy(session, process_key, version)
        if not (may_start(policy, user) and has_store_of_kind(session, user, policy)):
            raise PermissionDenied(f"{user.username} may not start {process_key}")
        if version.definition.retired_at is not None:
            raise retired_refusal(process_key)
        parsed = self.process(session, version.id)
        clean = forms.clean(parsed.start_form(), data or {}, now=self.clock(), zone=self.zone)
        store_row, robots_hear = check_start(session, user, policy, clean)
        clean = {**clean, **store_kinds(session, policy, clean)}
        now = self.clock()
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=self.script_engine)
        open_timer_starts(workflow)
        start_task = workflow.get_next_task(state=TaskState.READY)
        start_task.data.update(clean)
        start_task.data["started_by"] = user.username
        case = CaseRow(
            version_id=version.id, version=version.version, process_key=process_key,
            title=policy.title(clean, parsed.name), status=RUNNING,
            store_code=store_row.code if store_row else None, region=store_row.region if store_row else None,
            started_by_id=user.id, started_by=user.username, started_at=now, updated_at=now, state="")
        case.robots_in_scope = robots_hear
        case_rows.insert_case(session, case)
        rollups.count_case_start(session, case, self.zone)
        case.business_key = policy.business_key(case.id, now.astimezone(self.zone))
        if policy.on_start is not None:
            clean = {**clean, **policy.on_start(session, user, case.id, clean, now)}
            start_task.data.update(clean)
        record(session, case, "started", user, self.clock(), message=case.title, data=clean)
        approvers.attach(workflow, session, case.store_code, case.region)
        return case_row_view(case, advance(session, case, workflow, user, self.run_for(case)))

    # -- task assignment -------------------------------------------------------------------------

    def open_task(self, session: Session, task_id: int, seen_by: User | None = None,
                  ) -> tuple[TaskRow, CaseRow, list[TaskRow]]:
        """The open task, its running case, and the case's open task rows (for `_advance`). Given
        `seen_by`, a task that person may not see is as unknown as one that does not exist (the API's
        rule), checked on the row read here so that the request reads the task once."""
        found = case_rows.load_task_and_open(session, task_id)
        if found is None or (seen_by is not None
                             and not sees_task(session, seen_by, found[0], rules=self.supervision)):
            raise NotFound(f"task {task_id} does not exist")
        task, case, open_rows = found
        if task.state != "open":
            raise Conflict(f"task {task_id} is already {task.state}")
        if case.status != RUNNING:
            raise Conflict(f"case {case.id} is {case.status}")
        return task, case, open_rows

    def claim(self, session: Session, task_id: int, user: User) -> TaskView:
        task, case, _ = self.open_task(session, task_id)
        # 代理: a deputy takes the pool task of the person they stand in for, on that person's behalf
        for_whom = None if can_act(user, task) else stands_in_for(session, user, task, self.clock())
        if not can_act(user, task) and for_whom is None:
            raise PermissionDenied(f"{user.username} may not take task {task_id}")
        if task.assignee_id not in (None, user.id):
            raise Conflict(f"task {task_id} is already claimed by {task.assignee}")
        if task.assignee_id is None:
            task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, self.clock()
            task.on_behalf_of_id = for_whom[0] if for_whom else None
            record(session, case, "task_claimed", user, self.clock(), task=task,
                   data={"on_behalf_of": for_whom[1]} if for_whom else None)
            store(session, case, TaskChanges(changed=[task]), now=self.clock(), with_state=False)
        return task_row_view(task, case)

    def unclaim(self, session: Session, task_id: int, user: User) -> TaskView:
        task, case, _ = self.open_task(session, task_id)
        if task.assignee_id is None or task.waiting_on:  # 加签: the approvals asked wait on their holder
            raise Conflict(f"task {task_id} is not claimed, or waits on the approvers its holder asked")
        if task.assignee_id != user.id and not may_supervise(session, user, case, rules=self.supervision):
            raise PermissionDenied(f"{user.username} may not release task {task_id}")
        task.assignee_id, task.assignee, task.claimed_at, task.on_behalf_of_id = None, None, None, None
        record(session, case, "task_unclaimed", user, self.clock(), task=task)
        store(session, case, TaskChanges(changed=[task]), now=self.clock(), with_state=False)
        return task_row_view(task, case)

    def assign(self, session: Session, task_id: int, user: User, assignee_username: str,
               reason: str = "") -> TaskView:
        task, case, _ = self.open_task(session, task_id)
        if not may_supervise(session, user, case, rules=self.supervision):
            raise PermissionDenied(f"{user.username} may not reassign task {task_id}")
        assignee = session.scalar(select(User).where(User.username == assignee_username,
                                                     User.active.is_(True)))
        if assignee is None:
            raise InvalidData(f"unknown user {assignee_username!r}", {"user": "unknown user"})
        if not holds_role_for(assignee, task):
            raise InvalidData(f"{assignee_username} does not hold the role for this task",
                              {"user": "does not hold the role for this task"})
        previous = task.assignee
        task.assignee_id, task.assignee, task.claimed_at = assignee.id, assignee.username, self.clock()
        task.on_behalf_of_id = None
        record(session, case, "task_assigned", user, self.clock(), task=task, message=reason,
                    data={"from": previous, "to": assignee.username})
        store(session, case, TaskChanges(changed=[task]), now=self.clock(), with_state=False)
        return task_row_view(task, case)

    # -- completing ------------------------------------------------------------------------------

    def complete(self, session: Session, task_id: int, user: User, data: Mapping[str, Any] | None = None,
                 *, unseen_as_unknown: bool = False) -> CaseView:
        """`unseen_as_unknown`: refuse a task the user may not see as NotFound before anything else."""
        task, case, open_rows = self.open_task(session, task_id, user if unseen_as_unknown else None)
        if task.kind != "step" or task.waiting_on or task.after_approvers:  # 加签: see approvals
            return approvals.complete_held(self, session, task, case, open_rows, user, data)
        for_whom = (None if can_act(user, task) or task.assignee_id is not None
                    else stands_in_for(session, user, task, self.clock()))  # 代理: from the pool
        if not can_act(user, task) and for_whom is None:
            raise PermissionDenied(f"{user.username} may not complete task {task_id}")
        if task.assignee_id not in (None, user.id):
            raise PermissionDenied(f"task {task_id} is claimed by {task.assignee}")
        parsed, workflow = self.load(session, case)
        spiff_task = ready_task(workflow, task.spiff_task_id)
        now = self.clock()
        clean = forms.clean(parsed.form_for(task.element_id), data or {}, spiff_task.data, now=now,
                            zone=self.zone)
        spiff_task.data.update(clean)
        spiff_task.data["completed_by"] = {**spiff_task.data.get("completed_by", {}),
                                           task.element_id: user.username}
        task.state, task.completed_at = "completed", now
        task.completed_by_id, task.completed_by = user.id, user.username
        if task.assignee_id is None:
            task.assignee_id, task.assignee, task.claimed_at = user.id, user.username, now
            task.on_behalf_of_id = for_whom[0] if for_whom else None
        task.draft = None
        record(session, case, "task_completed", user, self.clock(), task=task, message=task.name, data=clean)
        cc_on_completion(session, case, spiff_task.task_spec, user, now)
        with running_model(self.clock, [spiff_task]):
            spiff_task.run()
        return case_row_view(case, advance(session, case, workflow, user, self.run_for(case), held=[task],
                                             stored_open=open_rows))

    def save_draft(self, session: Session, task_id: int, user: User, data: Mapping[str, Any]) -> TaskView:
        task, case, _ = self.open_task(session, task_id)
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
                     user: User | None = None) -> CaseView:
        case = self.case_row(session, instance_id)
        if case.status != RUNNING:
            raise Conflict(f"case {instance_id} is {case.status}")
        parsed, workflow = self.load(session, case)
        waiting = {e.name for e in workflow.waiting_events() if "Message" in e.event_type}
        if name not in waiting:
            raise Conflict(f"case {instance_id} is not waiting for message {name!r}")
        record(session, case, "message_received", user, self.clock(), message=name, data={"payload": payload})
        with running_model(self.clock):
            workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
        return case_row_view(case, advance(session, case, workflow, user, self.run_for(case)))

    def fire_timers(self, session: Session, instance_id: int, now: datetime) -> bool:
        """Fire whatever timers of one case are due at `now`; False when none is (any more) due.

        Used by the timer scheduler; the case is read afresh, so one another scheduler has just
        fired is left alone. SpiffWorkflow fires a timer only when its clock is strictly past the
        due time, while the scheduler takes a case once `next_timer_at <= now`; the timers are looked
        at a microsecond later, so a case taken at its due time moves then, not one run later.
        """
        case = self.case_row(session, instance_id)
        if case.status != RUNNING or case.next_timer_at is None or case.next_timer_at > now:
            return False
        parsed, workflow = self.load(session, case)
        with running_model(lambda: now + TIMER_TICK):
            workflow.refresh_timers()
        advance(session, case, workflow, None, self.run_for(case, lambda: now))
        return True

    # -- supervisors: the whole case ------------------------------------------------------------------

    def terminate(self, session: Session, instance_id: int, user: User, reason: str) -> CaseView:
        case = self.supervised_case(session, instance_id, user, reason)
        if case.status in ENDED:
            raise Conflict(f"case {instance_id} is already {case.status}")
        _, workflow = self.load(session, case)
        workflow.cancel()
        now = self.clock()
        case.status, case.ended_at, case.next_timer_at = TERMINATED, now, None
        case.outcome = case.outcome or "terminated"  # an outcome already told stands
        case.state = state.dumps(workflow)
        record(session, case, "terminated", user, now, message=reason)
        incidents.settle_open(session, case.id, user, incidents.TERMINATED, reason, now)
        changes = sync_tasks(session, case, workflow, now, self.policy(case.process_key),
                             recorder(self.clock))
        store(session, case, changes, now=now, zone=self.zone)
        return case_row_view(case, changes.still_open)

    def suspend(self, session: Session, instance_id: int, user: User, reason: str) -> CaseView:
        case = self.supervised_case(session, instance_id, user, reason)
        if case.status != RUNNING:
            raise Conflict(f"only a running case can be suspended; case {instance_id} is {case.status}")
        case.status = SUSPENDED
        record(session, case, "suspended", user, self.clock(), message=reason)
        store(session, case, TaskChanges(), now=self.clock(), with_state=False)
        return case_row_view(case, case_rows.open_tasks(session, case.id))

    def resume(self, session: Session, instance_id: int, user: User, reason: str) -> CaseView:
        case = self.supervised_case(session, instance_id, user, reason)
        if case.status not in (SUSPENDED, ERROR):
            raise Conflict(f"only a suspended or failed case can be resumed; case {instance_id} is "
                           f"{case.status}")
        if case.status == ERROR and incidents.open_incidents(session, instance_id):
            raise IncidentOpen(f"case {instance_id} is stopped on an incident; an administrator retries or "
                               "resolves it")
        _, workflow = self.load(session, case)
        case.status, case.last_error = RUNNING, None
        record(session, case, "resumed", user, self.clock(), message=reason)
        return case_row_view(case, advance(session, case, workflow, user, self.run_for(case)))

    def supervised_case(self, session: Session, instance_id: int, user: User, reason: str) -> CaseRow:
        case = self.case_row(session, instance_id)
        if not may_supervise(session, user, case, rules=self.supervision):
            raise PermissionDenied(f"{user.username} may not act on case {instance_id}")
        if not (reason or "").strip():
            raise InvalidData("a reason is required", {"reason": "required"})
        return case
