"""Engine fixtures: no Flask app, just SQL sessions, a frozen clock and the fixture models."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine
from engine.accounts import RoleSpec, create_user, upsert_store
from engine.deploy import deploy_directory

MODELS = Path(__file__).parent / "bpmn"


@pytest.fixture
def engine(clock):
    return Engine(clock=clock)


@pytest.fixture
def session(sessions):
    with sessions() as s:
        yield s


@pytest.fixture
def people(session, clock):
    """A small cast: store managers of two stores, a supervisor of EAST, a director, a clerk."""
    upsert_store(session, "SH001", "上海南京路店", region="EAST")
    upsert_store(session, "SH002", "上海徐家汇店", region="EAST")
    upsert_store(session, "BJ001", "北京王府井店", region="NORTH")
    now = clock()
    pw = "x" * 8
    users = {
        "manager_sh001": create_user(session, "manager_sh001", pw, roles=[RoleSpec("store_manager", "SH001")], now=now),
        "manager_sh002": create_user(session, "manager_sh002", pw, roles=[RoleSpec("store_manager", "SH002")], now=now),
        "supervisor_east": create_user(session, "supervisor_east", pw,
                                       roles=[RoleSpec("store_supervisor", region="EAST")], now=now),
        "director": create_user(session, "director", pw, roles=[RoleSpec("ops_director")], now=now),
        "cs_li": create_user(session, "cs_li", pw, roles=[RoleSpec("cs_agent")], now=now),
    }
    session.commit()
    return users


@pytest.fixture
def deployed(session, clock):
    results = deploy_directory(session, MODELS, now=clock())
    session.commit()
    return {r.key: r for r in results}
