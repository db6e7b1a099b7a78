"""The workers' lease, batch and poll interval come from config.py and the environment."""
from __future__ import annotations

from config import load_config

KEYS = ("WORKER_LEASE_SECONDS", "TIMER_BATCH", "SCHEDULER_INTERVAL_SECONDS")


def test_worker_settings_default_and_from_the_environment():
    defaults = load_config("development", environ={})
    assert tuple(defaults[k] for k in KEYS) == (300.0, 200, 15.0)
    settings = load_config("development", environ={"OPSFLOW_WORKER_LEASE_SECONDS": "30",
                                                   "OPSFLOW_TIMER_BATCH": "500",
                                                   "OPSFLOW_WORKER_POLL_SECONDS": "0.5"})
    assert tuple(settings[k] for k in KEYS) == (30.0, 500, 0.5)
