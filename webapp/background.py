"""The background runner of this app: due timers, scheduled starts and the delivery of the outbox,
in the server's thread (`opsflow run`) or a process of its own (`opsflow worker`). Other periodic
work (reminders, the daily digest) is added here as a `Job`."""
from __future__ import annotations

import os
import socket
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine import delivery
from engine.runtime import (
    BackgroundRunner,
    Job,
    beat,
    fire_due_timers,
    purge_idempotency_records,
    run_connectors,
    run_reminders,
    run_schedules,
)

from . import runner_metrics
from .extensions import db
from .notices import make_renderer, transports_for


def sessions_of(app: Flask) -> sessionmaker[Session]:
    """A session factory outside any request, for the runner and one-off commands."""
    with app.app_context():
        return sessionmaker(bind=db.engine, expire_on_commit=False)


def delivery_policy(app: Flask) -> delivery.Policy:
    return delivery.Policy(batch=int(app.config.get("DELIVERY_BATCH", 100)),
                           max_attempts=int(app.config.get("DELIVERY_MAX_ATTEMPTS", 8)),
                           backoff=timedelta(seconds=30))


def heartbeat_job(app: Flask, name: str) -> Job:
    """The runner's row in `runner_heartbeat`, stamped every HEARTBEAT_INTERVAL_SECONDS between the
    other jobs (so a job that hangs stops the beat too); `/readyz` reads it."""
    clock, sessions = app.extensions["opsflow"].clock, sessions_of(app)
    started_at = clock()

    def stamp() -> None:
        now = clock()
        with sessions() as session:
            beat(session, name, started_at, now)
            session.commit()
        runner_metrics.beat(name, now.timestamp())
    return Job("heartbeat", stamp, float(app.config.get("HEARTBEAT_INTERVAL_SECONDS", 15.0)), at_once=True)


def housekeeping_job(app: Flask) -> Job:
    """Purge the API's Idempotency-Key records older than IDEMPOTENCY_KEEP_HOURS (their answers are
    replayed that long) every HOUSEKEEPING_INTERVAL_SECONDS."""
    clock, sessions = app.extensions["opsflow"].clock, sessions_of(app)
    keep = timedelta(hours=float(app.config.get("IDEMPOTENCY_KEEP_HOURS", 24.0)))

    def purge() -> str:
        with sessions() as session:
            purged = purge_idempotency_records(session, clock() - keep)
        return f"purged {purged} idempotency record(s)" if purged else ""
    return Job("housekeeping", purge, float(app.config.get("HOUSEKEEPING_INTERVAL_SECONDS", 600.0)))


def background_runner(app: Flask, name: str | None = None, at_once: bool = False) -> BackgroundRunner:
    """Timers (drained in leased batches of TIMER_BATCH) and scheduled starts every
    SCHEDULER_INTERVAL_SECONDS; reminders (new pool tasks, due
    soon, overdue, the digest) every REMINDER_INTERVAL_SECONDS, at most a minute for the claimable
    batches to be once a minute; the outbox every DELIVERY_INTERVAL_SECONDS; service tasks'
    connectors every CONNECTOR_INTERVAL_SECONDS."""
    engine = app.extensions["opsflow"]
    sessions = sessions_of(app)
    worker = name or f"{socket.gethostname()}:{os.getpid()}"
    runner = BackgroundRunner(at_once=at_once)
    runner.add(heartbeat_job(app, worker))
    lease = timedelta(seconds=float(app.config.get("WORKER_LEASE_SECONDS", 300.0)))
    batch = int(app.config.get("TIMER_BATCH", 200))
    fired = runner_metrics.on_lag(worker)  # the heartbeat gauge, timers fired and each firing's lag
    runner.add(Job("timers", lambda: fire_due_timers(engine, sessions, limit=batch, holder=worker,
                                                     lease=lease, drain=True, stop=runner.stopping,
                                                     on_lag=fired),
                   float(app.config["SCHEDULER_INTERVAL_SECONDS"])))
    runner.add(Job("connectors", lambda: run_connectors(engine, sessions, stop=runner.stopping),
                   float(app.config.get("CONNECTOR_INTERVAL_SECONDS", 5.0))))
    runner.add(Job("schedules", lambda: run_schedules(engine, sessions),
                   float(app.config["SCHEDULER_INTERVAL_SECONDS"])))
    due_soon = timedelta(hours=float(app.config["DUE_SOON_HOURS"]))
    runner.add(Job("reminders", lambda: run_reminders(engine, sessions, due_soon=due_soon,
                                                      digest_at=app.config["DIGEST_TIME"]),
                   min(60.0, float(app.config.get("REMINDER_INTERVAL_SECONDS", 30.0)))))
    runner.add(housekeeping_job(app))
    transports = transports_for(app.config, sessions)
    if transports:
        renderer, policy = make_renderer(app), delivery_policy(app)

        def deliver() -> str:
            run = delivery.deliver_due(sessions, transports, renderer, engine.clock, worker=worker,
                                       policy=policy, stop=runner.stopping)
            return f"sent {run.sent}, retried {run.retried}, failed {run.failed}" if run.batches else ""
        runner.add(Job("delivery", deliver, float(app.config.get("DELIVERY_INTERVAL_SECONDS", 5.0))))
    return runner
