"""What a catalogue asks of a start beyond its starters: the kind of store it is for, and its own
check against other cases (`on_start`), which may refuse the start or add to its data; a refused
start leaves nothing behind."""
from typing import Any

import pytest
from sqlalchemy import select

from engine import Engine
from engine.directory.accounts import upsert_store
from engine.errors import InvalidData, PermissionDenied
from engine.models import AuditEvent
from engine.policy import ProcessPolicy

from ..conftest import SHANGHAI, FixtureCatalogue

START = {"store_code": "SH001", "amount": 1}


class _Catalogue(FixtureCatalogue):
    def __init__(self, **policy: Any) -> None:
        self.options = policy

    def policy(self, process_key: str) -> ProcessPolicy | None:
        return ProcessPolicy(key=process_key, **self.options)


def test_a_process_for_franchise_stores_refuses_a_direct_one(session, people, deployed, clock, dump):
    engine = Engine(clock=clock, catalogue=_Catalogue(start_store_kind="franchise"), zone=SHANGHAI)
    before = dump(session)
    with pytest.raises(InvalidData) as refused:  # a company-wide starter, who may choose any store
        engine.start(session, "lanes_gateway", people["cs_li"], START)
    session.rollback()
    assert refused.value.fields == {"store_code": "store must be franchise"}
    assert str(refused.value) == "store SH001 is direct, not franchise"
    assert dump(session) == before


def test_the_catalogues_own_check_adds_to_the_case_or_refuses_it(session, people, deployed, clock, dump):
    seen = []

    def check(s, user, case_id, data, now):
        seen.append((user.username, case_id, data["amount"], now))
        if data["amount"] > 5:
            raise InvalidData("too much", {"amount": "too much"})
        s.add(AuditEvent(instance_id=case_id, event_type="checked", at=now, message="ok"))
        return {"checked_amount": data["amount"] * 2}

    engine = Engine(clock=clock, catalogue=_Catalogue(on_start=check), zone=SHANGHAI)
    case = engine.start(session, "lanes_gateway", people["manager_sh001"], START)
    session.commit()
    assert seen == [("manager_sh001", case.id, 1, clock())]
    started = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case.id,
                                                       AuditEvent.event_type == "started")).one()
    assert started.data["checked_amount"] == 2
    assert [e.message for e in session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.event_type == "checked"))] == ["ok"]
    before = dump(session)
    with pytest.raises(InvalidData):
        engine.start(session, "lanes_gateway", people["manager_sh001"], {**START, "amount": 9})
    session.rollback()
    assert dump(session) == before


def test_a_scoped_starter_with_no_store_of_the_kind_may_not_start_at_all(session, people, deployed, clock):
    upsert_store(session, "BJ009", "北京加盟店", region="NORTH", kind="franchise")
    session.commit()
    starters = frozenset({"store_manager", "store_supervisor", "cs_agent"})
    engine = Engine(clock=clock, catalogue=_Catalogue(start_store_kind="franchise", starter_roles=starters),
                    zone=SHANGHAI)
    allowed = {name for name in ("manager_sh001", "supervisor_east", "supervisor_north", "cs_li")
               if engine.may_start(session, people[name], "lanes_gateway")}
    assert allowed == {"supervisor_north", "cs_li"}  # a company-wide starter chooses any store
    with pytest.raises(PermissionDenied):
        engine.start(session, "lanes_gateway", people["manager_sh001"], START)
