"""Every route under /api/v1, described: one entry per path and method, its operationId the name of
the view function, so that `tests/webapp/test_openapi.py` can hold the description and the routes
together (a route without an entry, or an entry without a route, fails it)."""
from __future__ import annotations

from typing import Any

from engine.queries import MAX_PER_PAGE, STATUSES, TASK_SCOPES, TASK_SORTS
from engine.queries import SORTS as CASE_SORTS
from engine.runtime import MAX_APPROVERS

from .schemas import ID, Schema, ref

ERRORS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
          413: "TooLarge", 422: "InvalidData", 429: "TooManyRequests", 503: "Unavailable"}
#: What any request may be refused with before its route runs (`webapp.strict_request`): 400 for a body
#: under /api/ that is not strict JSON or a query value holding a NUL, 413 for a body over the limit.
CHECKED = (400, 413)
READ = (401, 503)  # every route behind a token may answer these


def returns(schema: Schema, description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def _param(name: str, where: str, schema: Schema, description: str = "", **extra: Any) -> dict[str, Any]:
    param = {"name": name, "in": where, "schema": schema, **extra}
    if where == "path":
        param["required"] = True
    return {"description": description, **param} if description else param


def _path_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _links(**targets: tuple[str, dict[str, str]]) -> dict[str, Any]:
    return {name: {"operationId": op, "parameters": params} for name, (op, params) in targets.items()}


def op(operation_id: str, summary: str, tag: str, ok: dict[str, Any], *, status: int = 200,
       errors: tuple[int, ...] = READ, parameters: list[dict[str, Any]] | None = None,
       body: str | None = None, body_required: bool = False, body_example: Any = None, public: bool = False,
       description: str = "", why: dict[int, str] | None = None) -> dict[str, Any]:
    """One operation; `why` says, for some of its error statuses, what they mean on this route."""
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body:
        media: dict[str, Any] = {"schema": ref(body)}
        if body_example is not None:
            media["example"] = body_example
        operation["requestBody"] = {"required": body_required, "content": {"application/json": media}}
    why = why or {}
    operation["responses"] = {str(status): ok,
                              **{str(code): returns(ref("Error"), why[code]) if code in why else
                                 {"$ref": f"#/components/responses/{ERRORS[code]}"}
                                 for code in sorted({*errors, *CHECKED, *why})}}
    if public:
        operation["security"] = []
    return operation


PAGING = [
    _param("page", "query", {"type": "integer", "minimum": 1, "maximum": ID["maximum"], "default": 1}),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}),
]
OVERDUE = _param("overdue", "query", {"type": "boolean"}, "true: only late ones; false: only those not late")
SEARCH = _param("q", "query", {"type": "string"}, "part of the case's title or number")
PROCESS_FILTER = _param("process", "query", {"type": "string"}, "a process key")
STORE_FILTER = _param("store", "query", {"type": "string"}, "a store code")
MOMENT = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}],
          "description": "a date (midnight, China time) or a date-time (UTC when it has no offset)"}

TASK, INSTANCE, KEY = _path_ref("TaskId"), _path_ref("InstanceId"), _path_ref("ProcessKey")
BY_TASK_ID = {"task_id": "$response.body#/id"}
BY_INSTANCE_ID = {"instance_id": "$response.body#/id"}
TASK_OK = returns(ref("Task"), "the task as it is now", links=_links(
    GetTask=("task", BY_TASK_ID), CompleteTask=("complete", BY_TASK_ID), UnclaimTask=("unclaim", BY_TASK_ID),
    AssignTask=("assign", BY_TASK_ID), TransferTask=("transfer", BY_TASK_ID)))
INSTANCE_OK = returns(ref("Instance"), "the case as it is now", links=_links(
    GetCase=("instance", BY_INSTANCE_ID),
    GetFirstOpenTask=("task", {"task_id": "$response.body#/open_tasks/0/id"})))

PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {"get": op(
        "openapi", "This description", "Contract", returns({"type": "object"}, "the OpenAPI 3.1 document"),
        errors=(), public=True)},
    "/login": {"post": op(
        "login", "Log in: a bearer token for the other routes", "Session",
        returns(ref("Token"), "a new token"), errors=(401, 429, 503), body="Login",
        body_required=True, public=True,
        description="Repeated failures are throttled (429): wait a few minutes. A token lasts `expires_in` "
                    "seconds and ends early when the password is reset or the account deactivated.")},
    "/processes": {"get": op(
        "processes", "The processes I may start", "Processes",
        returns(ref("ProcessPage"), "all of them, on one page",
                links=_links(GetProcess=("process", {"key": "$response.body#/items/0/key"}))))},
    "/processes/{key}": {"get": op(
        "process", "A process I may start, with its start form", "Processes",
        returns(ref("StartableProcess"), "the process and the JSON Schema of its start data",
                links=_links(Start=("start", {"key": "$response.body#/key"}))),
        errors=READ + (404, 409), parameters=[KEY],
        description="404 when no such process is deployed or I may not start it; 409 when it is retired.")},
    "/processes/{key}/instances": {"post": op(
        "start", "Start a case", "Processes",
        returns(ref("Instance"), "the new case, with the steps it waits on", links=INSTANCE_OK["links"],
                headers={"Location": {"schema": {"type": "string"}, "description": "the case's URL"}}),
        status=201, errors=READ + (403, 404, 409, 422), parameters=[KEY], body="FormData",
        body_example={"data": {"store_code": "SH003", "store_name": "上海静安寺店", "city": "上海",
                               "address": "南京西路1号", "area_sqm": 180, "store_type": "direct",
                               "planned_opening_date": "2030-06-18", "budget": 800000}},
        description="`data` must meet the process's start form (`GET /processes/{key}`); a store code must "
                    "be one I may start for (403) and open (422).")},
    "/tasks": {"get": op(
        "tasks", "My task list", "Tasks",
        returns(ref("TaskPage"), "one page of tasks", links=_links(
            GetTask=("task", {"task_id": "$response.body#/items/0/id"}),
            ClaimTask=("claim", {"task_id": "$response.body#/items/0/id"}))),
        errors=READ + (422,), parameters=[
            _param("scope", "query", {"type": "string", "enum": list(TASK_SCOPES), "default": "todo"},
                   "todo (待办): everything I may act on, assigned to me and claimable by me (each task's "
                   "`claimable` marks the latter); mine: assigned to me; claimable: free tasks of my "
                   "roles; all: the same as todo"),
            PROCESS_FILTER, STORE_FILTER, OVERDUE, SEARCH,
            _param("sort", "query", {"type": "string", "enum": list(TASK_SORTS), "default": "due"}),
            *PAGING])},
    "/tasks/{task_id}": {"get": op(
        "task", "A task with its form, the case data and history", "Tasks",
        returns(ref("TaskDetail"), "the task", links=_links(
            ClaimTask=("claim", {"task_id": "$request.path.task_id"}),
            CompleteTask=("complete", {"task_id": "$request.path.task_id"}))),
        errors=READ + (404,), parameters=[TASK])},
    "/tasks/{task_id}/claim": {"post": op(
        "claim", "Claim a task: it becomes mine", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409), parameters=[TASK])},
    "/tasks/{task_id}/unclaim": {"post": op(
        "unclaim", "Release a task to the pool (放回待认领)", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409), parameters=[TASK],
        description="The holder, or a supervisor of the case.")},
    "/tasks/{task_id}/assign": {"post": op(
        "assign", "Give a task to someone (supervisors)", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="Assign", body_required=True)},
    "/tasks/{task_id}/transfer": {"post": op(
        "transfer", "Hand a task to a colleague (转交)", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="Transfer", body_required=True,
        body_example={"to": "deputy_sh001", "reason": "I am off tomorrow; she knows the store"},
        description="The holder of the task, or a supervisor of the case, gives it to `to`, who must hold "
                    "the step's role for the case's store or region (422 otherwise, naming `to`); the reason "
                    "is required (422 naming `reason`) and kept in the case's history. The task lands in the "
                    "colleague's 待办. 403 for anyone else; 409 when the task is no longer open or the case "
                    "changed at the same moment.",
        why={403: "not the holder of the task nor a supervisor of the case"})},
    "/tasks/{task_id}/complete": {"post": op(
        "complete", "Complete a task with its form's data", "Tasks", INSTANCE_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="FormData",
        description="422 names each field that breaks the form; 409 when the task is no longer open or "
                    "someone else changed the case first (reload and try again), or while approvers I "
                    "asked to decide before me have not all agreed (加签). With approvers named to approve "
                    "after me, my data is kept and the completion waits until they all agree (`waiting_on: "
                    "approval`). On an approval task (`kind: approval`) `data` is `{\"decision\": "
                    "\"approve\"|\"reject\", \"comment\"}`, as with `POST /tasks/{task_id}/decide`.")},
    "/tasks/{task_id}/add-approvers": {"post": op(
        "add_approvers", "Ask people to approve before or after me (加签)", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="AddApprovers", body_required=True,
        body_example={"usernames": ["supervisor_east"], "position": "before",
                      "reason": "金额较大，请主管先看"},
        description="Each person asked gets an approval task (`kind: approval`) in their list: at once for "
                    "`before` (I cannot complete until all agree), when I complete for `after` (my "
                    "completion, with my data, waits until all agree). A 不同意 gives the task back to me "
                    "with the comment and closes the others of that round.",
        why={403: "I do not hold the task (nor may take it from the pool)",
             409: "the task is an approval, is no longer open, or I completed it and it waits on its "
                  "approvers; or someone else changed the case first",
             422: "no usernames, unknown or inactive people, myself, someone already asked, more than "
                  f"{MAX_APPROVERS}; a missing reason; a position other than before or after"})},
    "/tasks/{task_id}/remove-approver": {"post": op(
        "remove_approver", "Take back a request to approve (减签)", "Tasks", TASK_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="RemoveApprover", body_required=True,
        description="Only while that person's decision is open. Removing the last open approval after my "
                    "completion lets the completion go through (the task is then `completed`).",
        why={403: "I do not hold the task", 422: "that person has no open approval on this task"})},
    "/tasks/{task_id}/decide": {"post": op(
        "decide", "Decide an approval I was asked for: 同意 or 不同意", "Tasks", INSTANCE_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="Decision", body_required=True,
        body_example={"decision": "reject", "comment": "照片不清楚，请补拍"},
        description="The same as `POST /tasks/{task_id}/complete` with `{\"data\": {\"decision\", "
                    "\"comment\"}}` on an approval task. The last 同意 after the holder completed runs the "
                    "holder's completion, and the case moves on.",
        why={403: "I was not asked for this approval",
             409: "the task is a step, not an approval; or it is closed; or someone else changed the case "
                  "first",
             422: "decision not approve or reject; reject without a comment"})},
    "/tasks/{task_id}/send-back": {"post": op(
        "send_back", "Send the case back to an earlier step (退回)", "Tasks", INSTANCE_OK,
        errors=READ + (403, 404, 409, 422), parameters=[TASK], body="SendBack", body_required=True,
        body_example={"to": "draft_plan", "reason": "预算缺少明细"},
        why={403: "I may not act on the task (not my role or store, or someone else holds it)",
             409: "the task is no longer open or the case not running; or someone else changed the case "
                  "first (reload and try again)",
             422: "no reason, or `to` is not one of the task's `send_back_targets`"},
        description="The step reopens for whoever completed it, with their entries as its draft and the "
                    "reason on top; everything after it closes. Only the task's `send_back_targets` "
                    "(see `GET /tasks/{task_id}`) may be named: earlier steps on the path that led here, "
                    "after any point of no return the case has passed.")},
    "/process-instances": {"get": op(
        "instances", "Cases I may see", "Cases",
        returns(ref("InstancePage"), "one page of cases", links=_links(
            GetCase=("instance", {"instance_id": "$response.body#/items/0/id"}))),
        errors=READ + (422,), parameters=[
            PROCESS_FILTER,
            _param("version", "query", {"type": "integer", "minimum": 1, "maximum": ID["maximum"]}),
            _param("status", "query", {"type": "string", "enum": list(STATUSES)}),
            STORE_FILTER, _param("region", "query", {"type": "string"}),
            _param("started_by", "query", {"type": "string"}, "a username"),
            _param("started_from", "query", MOMENT), _param("started_to", "query", MOMENT),
            _param("ended_from", "query", MOMENT,
                   "cases that ended (completed, terminated, withdrawn) then or later"),
            _param("ended_to", "query", MOMENT, "cases that ended before then"),
            OVERDUE, SEARCH,
            _param("has_incident", "query", {"type": "boolean"},
                   "true: only cases stopped on an open incident; false: only the others"),
            _param("sort", "query", {"type": "string", "enum": list(CASE_SORTS), "default": "newest"}),
            *PAGING])},
    "/process-instances/{instance_id}": {"get": op(
        "instance", "A case with its data, history and comments", "Cases",
        returns(ref("InstanceDetail"), "the case", links=_links(
            Comment=("comment", {"instance_id": "$request.path.instance_id"}),
            Suspend=("suspend", {"instance_id": "$request.path.instance_id"}))),
        errors=READ + (404,), parameters=[INSTANCE])},
    "/process-instances/{instance_id}/comments": {"post": op(
        "comment", "Comment on a case", "Cases", returns(ref("Comment"), "the new comment"), status=201,
        errors=READ + (404, 422), parameters=[INSTANCE], body="NewComment", body_required=True)},
}

for _action, _summary, _conflict in (
        ("terminate", "End a case now (supervisors)", "the case has already ended"),
        ("suspend", "Hold a running case (supervisors)", "the case is not running"),
        ("resume", "Let a suspended or failed case run on (supervisors)",
         "the case is not suspended or stopped, or (`incident_open`) it is stopped on an open incident, "
         "which only an administrator's retry or resolution moves")):
    PATHS[f"/process-instances/{{instance_id}}/{_action}"] = {"post": op(
        _action, _summary, "Cases", INSTANCE_OK, errors=READ + (403, 404, 409, 422), parameters=[INSTANCE],
        body="Reason", body_required=True,
        why={403: "I see the case but do not supervise it",
             409: _conflict + "; or someone else changed it first"})}

INCIDENT_PATH = "/process-instances/{instance_id}/incidents/{incident_id}"
INCIDENT_WHY = {
    403: "not an administrator (supervisors see incidents; administrators settle them)",
    404: "no such case I may see, or no such incident of that case",
    409: "the incident is already settled or the case no longer stopped on it; or someone else changed "
         "the case first",
}
PATHS[f"{INCIDENT_PATH}/retry"] = {"post": op(
    "retry_incident", "Run an incident's failed step again (administrators)", "Cases",
    returns(ref("Retried"), "the step went through: the incident is settled and the case runs on"),
    errors=READ + (403, 404, 409, 422), parameters=[INSTANCE, _path_ref("IncidentId")], body="Retry",
    body_required=True, body_example={"reason": "配置已修正", "latest_version": True, "data": {"divisor": 4}},
    description="Once the model (`latest_version`) or the data (`data`) is fixed. If the step fails again, "
                "the attempt is still kept and counted: the answer is a 422 `model_error` (or "
                "`case_data_too_large`) naming the `element`, with `retried: false`, the `incident` and the "
                "`instance`.",
    why={**INCIDENT_WHY, 409: INCIDENT_WHY[409] + "; or the newest version lacks a step the case has been "
                                                   "through (`latest_version`)",
         422: "the reason or the corrected data is wrong (`fields` names it); or the step failed again "
              "(`model_error`, `case_data_too_large`: with `element`, `retried`, `incident`, `instance`)"})}
PATHS[f"{INCIDENT_PATH}/resolve"] = {"post": op(
    "resolve_incident", "Settle an incident by hand (administrators)", "Cases",
    returns(ref("Resolved"), "the incident is settled; the case is suspended for its supervisors to resume "
                             "or terminate"),
    errors=READ + (403, 404, 409, 422), parameters=[INSTANCE, _path_ref("IncidentId")], body="Resolve",
    body_required=True,
    description="When the cause was dealt with some other way: the failed step is not run again.",
    why={**INCIDENT_WHY, 422: "the reason is missing or too long (`fields` names it)"})}

PARAMETERS = {
    "TaskId": _param("task_id", "path", ID),
    "InstanceId": _param("instance_id", "path", ID),
    "IncidentId": _param("incident_id", "path", ID),
    "ProcessKey": _param("key", "path", {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.-]*$",
                                         "maxLength": 64},
                         "the process key (the BPMN process id)", example="store_opening"),
}

# -- the everyday moves: 撤回, 抄送, 催办 --------------------------------------------------------------
PATHS["/process-instances/{instance_id}/withdraw"] = {"post": op(
    "withdraw", "Withdraw my case (撤回; its starter)", "Cases", INSTANCE_OK,
    errors=READ + (403, 404, 409, 422), parameters=[INSTANCE], body="Reason", body_required=True,
    body_example={"reason": "门店信息填错，重新发起"},
    description="The case ends with status `withdrawn`: its open steps are closed, and the people who "
                "held them are named in the `withdrawn` event of its history.",
    why={403: "I see the case but did not start it",
         409: "the case is not running or suspended, or it has passed a point of no return (a step after "
              "which it cannot be withdrawn); or someone else changed it first"})}
PATHS["/process-instances/{instance_id}/cc"] = {"post": op(
    "cc", "Cc colleagues on a case (抄送)", "Cases", returns(ref("CcDone"), "who is cc'd now"), status=201,
    errors=READ + (403, 404, 409, 422), parameters=[INSTANCE], body="Cc", body_required=True,
    body_example={"usernames": ["cs_li"], "note": "请关注门店反馈"},
    description="Its starter, whoever holds or held one of its steps, or a supervisor of it. Each person "
                "cc'd may then read this case (and only this one: nothing more may be done with it) and "
                "finds it, unread, in `GET /cc`. Cc'ing someone again marks it unread with the new note.",
    why={403: "I see the case but take no part in it",
         409: "someone else changed the case at the same moment",
         422: "no usernames, an unknown or inactive one, myself, more than 20, or the note is too long"})}
PATHS["/cc"] = {"get": op(
    "cc_list", "Cases cc'd to me (抄送我的)", "Cases", returns(ref("CcPage"), "newest cc first"),
    errors=READ + (422,), parameters=[
        _param("unread", "query", {"type": "boolean"}, "true: only the ones I have not opened since"),
        *PAGING],
    description="`GET /process-instances/{id}` of a case marks its cc read.")}
PATHS["/tasks/{task_id}/urge"] = {"post": op(
    "urge", "Urge a waiting step (催办)", "Tasks", returns(ref("Urged"), "who was told"),
    errors=READ + (403, 404, 409, 422, 429), parameters=[TASK], body="Urge",
    body_example={"note": "客户在等，请尽快处理"},
    description="The case's starter or a supervisor of it. Its holder is told, or while nobody has taken "
                "the step everyone who may take it (the `task_urged` event names them). At most once an "
                "hour per step and person.",
    why={403: "neither the case's starter nor a supervisor of it",
         409: "the step is no longer open or the case not running; or someone else changed it first",
         422: "the note is too long",
         429: "I urged this step less than an hour ago (`Retry-After` says how many seconds to wait)"})}
