"""Copying a seeded history up (the 1M dashboard figures) scales its rollups as a rebuild over the
copies would."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench import monitoring
from bench.scale_up import scale_up
from engine.bpmn import deploy_directory
from engine.directory import upsert_store
from engine.models import HumanTask, ProcessInstance, RollupCell
from engine.runtime import rebuild_rollups
from workflows import history_paths
from workflows.history_seed import seed_history


def _cells(session):
    return {(c.measure, c.span, c.start, c.process_key, c.element_id, c.region, c.store_code, c.bucket):
            (c.n, pytest.approx(c.hours), c.low, c.high, c.due, c.on_time)
            for c in session.scalars(select(RollupCell))}


def test_copies_scale_the_rollups_as_a_rebuild_would(sessions):
    root = monitoring.Path(monitoring.__file__).resolve().parent.parent
    with sessions() as session:
        deploy_directory(session, root / "bpmn", root / "workflows" / "forms",
                         now=monitoring.NOW - timedelta(days=400), deployed_by="test")
        for code, name, region in monitoring.STORES:
            upsert_store(session, code, name, region=region)
        seed_history(session, model=history_paths, cases=80, now=monitoring.NOW, days=60, seed=2)
        rebuild_rollups(session, monitoring.TZ)
        session.commit()
        tasks = session.scalar(select(func.count()).select_from(HumanTask))
        assert scale_up(session, 3) == 240
        session.commit()
        assert session.scalar(select(func.count()).select_from(HumanTask)) == 3 * tasks
        scaled = _cells(session)
        rebuild_rollups(session, monitoring.TZ)
        session.commit()
        assert scaled == _cells(session)
        assert session.scalar(select(func.max(ProcessInstance.id))) > 160
