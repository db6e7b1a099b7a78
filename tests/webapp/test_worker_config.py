"""The workers' lease, batch and poll interval come from config.py and the environment."""
from __future__ import annotations

from config import load_config


def test_worker_settings_default_and_from_the_environment():
    defaults = load_config("development", environ={})
    assert (defaults["WORKER_LEASE_SECONDS"], defaults["TIMER_BATCH"], defaults["SCHEDULER_INTERVAL_SECONDS"]) \
        == (300.0, 200, 15.0)
    settings = load_config("development", environ={"OPSFLOW_WORKER_LEASE_SECONDS": "30",
                                                   "OPSFLOW_TIMER_BATCH": "500",
                                                   "OPSFLOW_WORKER_POLL_SECONDS": "0.5"})
    assert (settings["WORKER_LEASE_SECONDS"], settings["TIMER_BATCH"], settings["SCHEDULER_INTERVAL_SECONDS"]) \
        == (30.0, 500, 0.5)
