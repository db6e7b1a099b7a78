"""Service tasks' connector calls when a worker dies holding one: the call's lease
(`next_attempt_at` moved past the connector's timeout) keeps the other workers off it, then it is
called again and the case moves on once. The other system may be called twice (the first worker
may have called it before dying): the calls are at least once, the case's step once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.models import AuditEvent
from engine.runtime import run_connectors
from engine.runtime.connector_calls import _take
from engine.runtime.http_connector import call_http

from . import test_connectors as connectors
from .test_connectors import _call, _engine, _start

wms, synced = connectors.wms, connectors.synced  # the fixtures, shared with test_connectors


def _moved(session, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == case_id, AuditEvent.event_type == "connector_called",
        AuditEvent.element_id == "tell_wms")) or 0


def test_a_call_whose_worker_died_before_calling_is_called_after_its_lease(
        sessions, session, people, synced, clock, wms):
    engine = _engine(clock, wms.url + "/")
    case_id = _start(engine, session, people, wms.url)
    assert _take(engine, sessions, _call(session, case_id, "tell_wms").id, clock()) is not None  # then dies
    assert run_connectors(engine, sessions, clock.advance(seconds=5)) == 0  # leased: left alone
    assert wms.seen == []
    lease = engine.connectors.max_timeout + 30
    assert run_connectors(engine, sessions, clock.advance(seconds=lease)) == 1
    assert len(wms.seen) == 1 and _call(session, case_id, "tell_wms").status == "done"
    assert _moved(session, case_id) == 1


def test_a_call_whose_worker_died_after_calling_moves_the_case_once(
        sessions, session, people, synced, clock, wms):
    engine = _engine(clock, wms.url + "/")
    case_id = _start(engine, session, people, wms.url)
    prepared = _take(engine, sessions, _call(session, case_id, "tell_wms").id, clock())
    assert prepared is not None
    call_http(prepared.params, engine.connectors)  # the other system has it; the worker dies now
    lease = timedelta(seconds=engine.connectors.max_timeout + 30)
    assert run_connectors(engine, sessions, clock() + lease) == 1
    run_connectors(engine, sessions, clock() + 2 * lease)  # the next service task (mail) goes too
    assert len(wms.seen) == 2  # called again: at least once
    assert _moved(session, case_id) == 1  # the case moved once
    assert _call(session, case_id, "tell_wms").status == "done"
