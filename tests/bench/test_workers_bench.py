"""The workers benchmark runs end to end on a few timers (its figures are not checked here)."""
from __future__ import annotations

import pytest

from bench import fixtures, workers


def test_one_worker_drains_the_seeded_timers_once():
    url = fixtures.postgres_url()
    if not url:
        pytest.skip("PostgreSQL is not configured")
    run = workers.drain(url, "1 worker", 1, 40, batch=15)
    assert (run.fired, run.duplicates, run.lost, run.leases_left) == (40, 0, 0, 0)
    rendered = workers.table([run]).render()
    assert "timers/s" in rendered and "[PASS]" in rendered
