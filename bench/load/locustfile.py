"""The demo roles at work over HTTP, for `bench/load/run.py` (locust, headless).

A service complaint at SH001 (complaint_handling) is started by an agent (cs_li, cs_wang), investigated
by the store's manager (manager_sh001), and closed by an agent's follow-up call: two user tasks per
case. The run starts with many such cases open (seeded), so the managers have investigations to do
from the first second and the agents follow-ups soon after. Each simulated person:

- lists their 待办 through the API and completes the tasks that are theirs (the users of one role split
  the list by task id, so two of them never race for the same task), now and then opening the 待办
  page and the task's page the way a person would before submitting; with nothing of theirs in it,
  they look again half a second later;
- an agent also starts a new complaint every few rounds;
- a supervisor (supervisor_east, director) opens the case list and the dashboard.

Bounds: locust's `--run-time`, and `LOAD_MAX_COMPLETIONS` (stop after that many completions). What
the run did goes to the JSON file `LOAD_SUMMARY`: per request kind every response time, the status
classes seen, and the ids of the tasks whose completion was answered 200 (the check after the run
looks each of them up). Errors are responses other than 2xx/3xx, and connection failures.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import defaultdict
from typing import Any

from locust import FastHttpUser, between, constant, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo123")
MAX_COMPLETIONS = int(os.environ.get("LOAD_MAX_COMPLETIONS", "0") or 0)
PAGES_EVERY = int(os.environ.get("LOAD_PAGES_EVERY", "10"))  # a round in N also opens the pages
START_EVERY = int(os.environ.get("LOAD_START_EVERY", "4"))   # an agent's round in N also starts a case
# a person whose 待办 holds nothing of theirs looks again after this (a pull to refresh), not at once:
# without it an agent waiting for investigations asked for the list hundreds of times a second, and
# those empty lists took the CPU the completions needed
IDLE_SECONDS = float(os.environ.get("LOAD_IDLE_SECONDS", "0.5"))
COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "store", "category": "service",
             "description": "店员接待态度冷淡，试衣等候超过20分钟无人理会。",
             "amount_claimed": 0, "order_no": "SO-20261101-0088"}
SUBMIT = {
    "investigate_store": {"findings": "监控显示周末客流高峰期试衣区仅1名店员，顾客等候约25分钟",
                          "root_cause": "高峰期排班不足", "resolution_type": "apology",
                          "compensation_amount": 0,
                          "resolution_plan": "店长致电致歉并赠送会员积分；调整周末排班"},
    "customer_follow_up": {"customer_satisfied": True, "feedback": "客户接受致歉，表示满意"},
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

_lock = threading.Lock()
_times: dict[str, list[float]] = defaultdict(list)
_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_completed: list[int] = []
_completed_at: list[float] = []
_counters: dict[str, int] = defaultdict(int)


@events.request.add_listener
def _seen(request_type: str, name: str, response_time: float, response_length: int, response: Any = None,
          exception: BaseException | None = None, **_: Any) -> None:
    code = getattr(response, "status_code", 0) or 0
    kind = "failed" if exception is not None and not code else f"{code // 100}xx"
    with _lock:
        _times[name].append(response_time)
        _status[name][kind] += 1


@events.quitting.add_listener
def _write_summary(environment: Any, **_: Any) -> None:
    path = os.environ.get("LOAD_SUMMARY")
    if not path:
        return
    stats = environment.stats.total
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"times": _times, "status": _status, "completed": _completed,
                   "first_completion_at": min(_completed_at, default=0), "last_completion_at":
                   max(_completed_at, default=0), "started_at": stats.start_time}, out)


class Person(FastHttpUser):
    """One demo user: an API token, and a signed-in browser session for the pages."""

    abstract = True
    username = ""
    element = ""        # the step this person completes
    wait_time = constant(0)

    def on_start(self) -> None:
        cls = type(self)
        with _lock:
            self.index = _counters[cls.__name__]
            _counters[cls.__name__] += 1
        self.peers = max(1, getattr(cls, "fixed_count", 1))
        response = self.client.post("/api/v1/login", json={"username": self.username, "password": PASSWORD},
                                    name="login (API)")
        self.api = {"Authorization": f"Bearer {response.json()['token']}"}
        self.rounds = 0
        self.cookie = self._sign_in()

    def _sign_in(self) -> str:
        """The browser's session cookie. Production marks it Secure and this is plain HTTP on loopback,
        so the cookie jar would not send it back: it is carried by hand."""
        page = self.client.get("/login", name="login page")
        token = _CSRF.search(page.text)
        self.client.post("/login", data={"username": self.username, "password": PASSWORD,
                                         "csrf_token": token.group(1) if token else ""},
                         headers={"Cookie": self._cookies()}, allow_redirects=False, name="login (page)")
        return self._cookies()

    def _cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)

    def page(self, path: str, name: str) -> None:
        self.client.get(path, headers={"Cookie": self.cookie}, name=name)

    def my_tasks(self) -> list[dict[str, Any]]:
        with self.client.get("/api/v1/tasks?per_page=50&sort=age", headers=self.api, name="待办 (API)",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return []
            items = response.json()["items"]
        return [t for t in items if t["element_id"] == self.element and t["id"] % self.peers == self.index]

    def complete(self, item: dict[str, Any]) -> None:
        with self.client.post(f"/api/v1/tasks/{item['id']}/complete", json={"data": SUBMIT[self.element]},
                              headers=self.api, name="complete (API)", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return
        with _lock:
            _completed.append(item["id"])
            _completed_at.append(time.time())
            done = len(_completed)
        if MAX_COMPLETIONS and done >= MAX_COMPLETIONS:
            self.environment.runner.quit()

    def work(self) -> None:
        self.rounds += 1
        pages = PAGES_EVERY and self.rounds % PAGES_EVERY == 0
        if pages:
            self.page("/tasks", "待办 (page)")
        mine = self.my_tasks()
        if not mine:
            time.sleep(IDLE_SECONDS)  # locust's gevent makes it a pause of this person only
        for number, item in enumerate(mine):
            if pages and number == 0:
                self.page(f"/tasks/{item['id']}", "task page")
            self.complete(item)


class Manager(Person):
    username = "manager_sh001"
    element = "investigate_store"
    fixed_count = int(os.environ.get("LOAD_MANAGERS", "2"))

    @task
    def investigate(self) -> None:
        self.work()


class Agent(Person):
    username = "cs_li"
    element = "customer_follow_up"
    fixed_count = int(os.environ.get("LOAD_AGENTS", "2"))

    @task
    def follow_up(self) -> None:
        if START_EVERY and self.rounds % START_EVERY == 0:
            self.client.post("/api/v1/processes/complaint_handling/instances", json={"data": COMPLAINT},
                             headers=self.api, name="start (API)")
        self.work()


class Supervisor(Person):
    username = "supervisor_east"
    fixed_count = int(os.environ.get("LOAD_SUPERVISORS", "1"))
    wait_time = between(0.2, 0.5)

    @task(3)
    def case_list(self) -> None:
        self.page("/cases", "case list (page)")

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboard", "dashboard (page)")
