"""The processes a person may start, each with its start form."""
import pytest

from engine import Engine, NotFound, queries
from engine.policy import ProcessPolicy


class _Starters:
    """A catalogue in which only store managers may start lanes_gateway."""

    closed_by_default = False

    def policy(self, process_key):
        return ProcessPolicy(key=process_key, starter_roles=frozenset({"store_manager"})) \
            if process_key == "lanes_gateway" else None


def test_a_startable_process_comes_with_its_start_form(session, people, deployed, clock):
    engine = Engine(clock=clock, catalogue=_Starters())
    found = queries.startable_process(engine, session, people["manager_sh001"], "lanes_gateway")
    assert (found.key, found.version) == ("lanes_gateway", 1)
    assert found.start_form["required"] == ["store_code", "amount"]
    found.to_dict()["start_form"]["required"].append("changed")  # a copy, never the cached form
    again = queries.startable_process(engine, session, people["manager_sh001"], "lanes_gateway")
    assert again.start_form["required"] == ["store_code", "amount"]
    anything = queries.startable_process(engine, session, people["cs_li"], "sandbox")
    assert anything.start_form == {"type": "object"}
    for user, key in (("cs_li", "lanes_gateway"), ("manager_sh001", "no_such_process")):
        with pytest.raises(NotFound):
            queries.startable_process(engine, session, people[user], key)
