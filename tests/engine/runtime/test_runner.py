"""The background runner: jobs at their own intervals, a failing job logged while the others go on,
and a graceful stop (the running job finishes, no job starts after)."""
from __future__ import annotations

import threading

from engine.runtime import BackgroundRunner, Job


def test_run_once_runs_every_job_and_survives_a_failing_one(caplog):
    done = []

    def broken():
        raise RuntimeError("boom")
    runner = BackgroundRunner([Job("a", lambda: done.append("a") or 1, 60), Job("b", broken, 60),
                               Job("c", lambda: done.append("c"), 60)])
    assert runner.run_once() == {"a": 1, "b": None, "c": None}
    assert done == ["a", "c"] and "background job b failed" in caplog.text


def test_a_stop_lets_the_running_job_finish_and_starts_no_other():
    started, release, finished = threading.Event(), threading.Event(), []

    def long_job():
        started.set()
        release.wait(5)
        finished.append("long")
    jobs = [Job("long", long_job, 0.01), Job("next", lambda: finished.append("next"), 0.01)]
    runner = BackgroundRunner(jobs, at_once=True)
    runner.start()
    assert started.wait(5)
    runner.request_stop()
    release.set()
    runner.stop(5)
    assert finished == ["long"]
    assert runner._thread is not None and not runner._thread.is_alive()


def test_jobs_repeat_at_their_interval_until_stopped():
    ticks = []
    seen = threading.Event()

    def tick():
        ticks.append(1)
        if len(ticks) >= 3:
            seen.set()
    runner = BackgroundRunner([Job("tick", tick, 0.01)])
    runner.start()
    assert seen.wait(5)
    runner.stop(5)
    assert len(ticks) >= 3
