"""`/metrics`: the Prometheus text format, request latency and commands counted as they happen, the
gauges read from the database at the scrape, and nobody but this machine (or a holder of the
token) reading any of it."""
from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from engine.models import PENDING, OutboxMessage, ProcessInstance
from webapp.background import background_runner
from webapp.extensions import db

from .conftest import Api
from .test_api_tasks import INVESTIGATION, only_task, start


def scrape(client, **kwargs) -> dict[str, list]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def outbox(families: dict[str, list]) -> dict[str, float]:
    return {s.labels["status"]: s.value for s in families["opsflow_outbox_messages"]}


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_scrape_is_prometheus_text_with_every_family(any_app):
    client = any_app.test_client()
    client.get("/healthz")
    families = scrape(client)
    assert {"opsflow_request_seconds", "opsflow_commands", "opsflow_timer_overdue_seconds",
            "opsflow_outbox_messages", "opsflow_runner_heartbeat_age_seconds", "opsflow_timer_lag_seconds",
            "opsflow_timers_fired", "opsflow_runner_heartbeat_timestamp_seconds"} <= families.keys()
    health = [s for s in families["opsflow_request_seconds"]
              if s.name == "opsflow_request_seconds_count" and s.labels["endpoint"] == "health.healthz"]
    assert health and health[0].labels == {"endpoint": "health.healthz", "method": "GET", "status": "2xx"}
    assert outbox(families) == {"pending": 0, "sending": 0}
    assert families["opsflow_timer_overdue_seconds"][0].value == 0


def test_a_completed_step_and_a_refused_one_are_counted_by_outcome(client, api):
    ok = {"kind": "api.complete", "outcome": "ok"}
    conflict = {"kind": "api.complete", "outcome": "conflict"}
    invalid = {"kind": "api.complete", "outcome": "invalid"}
    timed = {"endpoint": "api.complete", "method": "POST", "status": "2xx"}
    before = (counted("opsflow_commands_total", **ok), counted("opsflow_commands_total", **conflict),
              counted("opsflow_commands_total", **invalid), counted("opsflow_request_seconds_count", **timed))
    task = only_task(start(api))
    manager = api.as_("manager_sh001")
    assert manager.post(f"/tasks/{task['id']}/complete", json={"data": {"findings": ""}}).status_code == 422
    assert manager.post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}).status_code == 200
    assert manager.post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}).status_code == 409
    after = (counted("opsflow_commands_total", **ok), counted("opsflow_commands_total", **conflict),
             counted("opsflow_commands_total", **invalid), counted("opsflow_request_seconds_count", **timed))
    assert [a - b for a, b in zip(after, before)] == [1, 1, 1, 1]
    families = scrape(client)
    assert any(s.labels == ok and s.value >= 1 for s in families["opsflow_commands"])


def test_a_refusal_a_page_catches_is_still_counted_as_refused(client, api, auth, csrf_token):
    """The case page's terminate answers a refusal (no reason given) with a redirect and a message:
    the refusal, not the status, is the outcome."""
    refused = {"kind": "cases.act", "outcome": "invalid"}
    before = counted("opsflow_commands_total", **refused)
    case_id = start(api)["id"]
    auth.login("admin")
    form = {"reason": "", "csrf_token": csrf_token(client, "/tasks")}
    response = client.post(f"/cases/{case_id}/terminate", data=form)
    assert response.status_code == 303
    assert counted("opsflow_commands_total", **refused) == before + 1


def test_timer_lag_outbox_depth_and_heartbeats_are_read_at_the_scrape(any_app, app_clock):
    start(Api(any_app.test_client()))
    background_runner(any_app, "worker-a").jobs[0].run()
    now = app_clock()
    with any_app.app_context():
        case_id = db.session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id).limit(1))
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == case_id)
                           .values(next_timer_at=now - timedelta(seconds=90)))
        waiting = db.session.scalar(select(func.count()).where(OutboxMessage.status == PENDING))
        db.session.add_all([OutboxMessage(channel="email", kind="digest", payload={}, status=PENDING,
                                          attempts=0, available_at=now, created_at=now) for _ in range(3)])
        db.session.commit()
    app_clock.advance(seconds=20)
    families = scrape(any_app.test_client())
    assert families["opsflow_timer_overdue_seconds"][0].value == 110
    assert outbox(families) == {"pending": waiting + 3, "sending": 0}
    [age] = families["opsflow_runner_heartbeat_age_seconds"]
    assert age.labels == {"runner": "worker-a"} and age.value == 20


def test_only_this_machine_may_scrape_when_no_token_is_set(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403
    # nginx on this machine forwards the internet's requests from 127.0.0.1
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert b"opsflow_" not in client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"}).get_data()


def test_with_a_token_only_its_bearer_may_scrape(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-scraper"
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = {"Authorization": "Bearer s3cret-scraper"}
    assert client.get("/metrics", headers=good, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


def test_each_firing_is_observed_with_its_lag_and_counted_for_its_runner(any_app, app_clock):
    """The runner's own figures (webapp.runner_metrics): its heartbeat, the cases it fired, and the
    histogram of how late each firing was (the clock at the firing − the due time)."""
    case = start(Api(any_app.test_client()))
    with any_app.app_context():
        due = db.session.get(ProcessInstance, case["id"]).next_timer_at
    assert due is not None  # the complaint's SLA timer
    lag = {"runner": "worker-lag"}
    before = (counted("opsflow_timer_lag_seconds_count", **lag),
              counted("opsflow_timer_lag_seconds_sum", **lag),
              counted("opsflow_timer_lag_seconds_bucket", le="60.0", **lag),
              counted("opsflow_timers_fired_total", runner="worker-lag"))
    app_clock.set(due + timedelta(seconds=90))
    runner = background_runner(any_app, "worker-lag")
    heartbeat, timers = runner.jobs[0], runner.jobs[1]
    assert timers.name == "timers"
    heartbeat.run()
    timers.run()
    after = (counted("opsflow_timer_lag_seconds_count", **lag),
             counted("opsflow_timer_lag_seconds_sum", **lag),
             counted("opsflow_timer_lag_seconds_bucket", le="60.0", **lag),
             counted("opsflow_timers_fired_total", runner="worker-lag"))
    assert [a - b for a, b in zip(after, before)] == [1, 90, 0, 1]
    assert counted("opsflow_timer_lag_seconds_bucket", le="120.0", **lag) == after[0]
    families = scrape(any_app.test_client())
    [beat] = [s for s in families["opsflow_runner_heartbeat_timestamp_seconds"]
              if s.labels == {"runner": "worker-lag"}]
    assert beat.value == app_clock().timestamp()
    timers.run()  # nothing due any more: nothing observed
    assert counted("opsflow_timer_lag_seconds_count", **lag) == after[0]
