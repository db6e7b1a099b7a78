"""Service tasks as a model states them: which connector OpsFlow runs them through, and the deploy
check that refuses any other.

A model names the connector the way SpiffArena does, `spiffworkflow:serviceTaskOperator id="http"`,
with `spiffworkflow:parameter`s whose values are expressions over the case data (compiled at deploy
like every piece of model code) and `resultVariable` naming where the result goes. SpiffWorkflow
would run the task inside the command that reaches it; OpsFlow marks it manual instead, so the
workflow waits there and the background runner calls the connector outside any transaction
(`engine.runtime.connectors`). A connector or parameter OpsFlow does not provide is refused at
deploy, naming the file and the element, never at run time.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask

from engine.errors import DeployError

HTTP, MAIL = "http", "mail"
#: Each connector's parameters: the required ones, then the optional ones.
CONNECTORS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    HTTP: (frozenset({"url"}), frozenset({"method", "json", "headers", "timeout"})),
    MAIL: (frozenset({"to", "subject", "body"}), frozenset()),
}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_RETRIES = 3
MAX_RETRIES = 10


def is_service_task(spec: Any) -> bool:
    return isinstance(spec, ServiceTask)


def wait_at_service_tasks(processes: list[BpmnProcessSpec]) -> None:
    """Make every service task manual: the workflow stops there until the runner has called it."""
    for process in processes:
        for spec in process.task_specs.values():
            if is_service_task(spec):
                spec.manual = True


def check_service_tasks(processes: list[BpmnProcessSpec], filename: str) -> None:
    """Refuse a service task whose connector or parameters OpsFlow does not provide."""
    for process in processes:
        for spec in process.task_specs.values():
            if is_service_task(spec):
                _check(spec, _basename(getattr(process, "file", None)) or filename)


def _basename(path: str | None) -> str | None:
    return path.replace("\\", "/").rsplit("/", 1)[-1] if path else None


def _check(spec: Any, filename: str) -> None:
    name = getattr(spec, "operation_name", None)
    where = f"{filename}, element {spec.bpmn_id}"
    if name not in CONNECTORS:
        known = ", ".join(sorted(CONNECTORS))
        raise DeployError(f"{where}: service task uses connector {name!r}, which OpsFlow does not provide "
                          f"(it provides {known})", filename=filename, element=spec.bpmn_id,
                          reason="connector_unknown", params={"name": str(name), "known": known})
    required, optional = CONNECTORS[name]
    given = set(getattr(spec, "operation_params", None) or {})
    missing, unknown = sorted(required - given), sorted(given - required - optional)
    if missing:
        raise DeployError(f"{where}: the {name} connector needs the parameter(s) {', '.join(missing)}",
                          filename=filename, element=spec.bpmn_id, reason="connector_parameters_missing",
                          params={"connector": name, "params": ", ".join(missing)})
    if unknown:
        raise DeployError(f"{where}: the {name} connector has no parameter(s) {', '.join(unknown)}",
                          filename=filename, element=spec.bpmn_id, reason="connector_parameters_unknown",
                          params={"connector": name, "params": ", ".join(unknown)})
    retries = getattr(spec, "retries", None)
    if retries is not None and not 0 <= retries <= MAX_RETRIES:
        raise DeployError(f"{where}: retries must be between 0 and {MAX_RETRIES}",
                          filename=filename, element=spec.bpmn_id, reason="retries_out_of_range",
                          params={"n": str(MAX_RETRIES)})


def attempts_of(spec: Any) -> int:
    """How many times the runner calls the connector before the case stops on an incident."""
    retries = getattr(spec, "retries", None)
    return 1 + (DEFAULT_RETRIES if retries is None else retries)


def backoff_base(spec: Any) -> int:
    """Seconds before the first retry; each further one waits twice as long."""
    return int(getattr(spec, "retry_backoff_base", None) or 30)
