"""Case numbers carry the day in the business time zone, not the server's (UTC) day."""
from datetime import datetime, timezone

from engine import Engine
from engine.policy import OpenCatalogue, ProcessPolicy

from ..conftest import SHANGHAI, FixtureCatalogue


class _Prefixed(FixtureCatalogue):
    def policy(self, process_key: str) -> ProcessPolicy | None:
        return ProcessPolicy(key=process_key, business_key_prefix="CP")


def test_a_case_started_at_00_34_beijing_time_is_numbered_for_that_day(session, people, deployed, clock):
    clock.set(datetime(2026, 12, 2, 16, 34, tzinfo=timezone.utc))  # 2026-12-03 00:34 in Shanghai
    engine = Engine(clock=clock, catalogue=_Prefixed(), zone=SHANGHAI)
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 1})
    session.commit()
    assert case.business_key == f"CP-20261203-{case.id:05d}"


def test_an_engine_without_a_zone_numbers_by_the_utc_day(session, people, deployed, clock):
    clock.set(datetime(2026, 12, 2, 16, 34, tzinfo=timezone.utc))
    case = Engine(clock=clock, catalogue=OpenCatalogue()).start(
        session, "lanes_gateway", people["manager_sh001"], {"store_code": "SH001", "amount": 1})
    session.commit()
    assert case.business_key == f"CASE-20261202-{case.id:05d}"
