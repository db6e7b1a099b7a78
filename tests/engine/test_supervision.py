"""Who oversees which cases is the catalogue's to say: an engine without one lets administrators
alone oversee cases, and one with its own rules goes by them."""
from __future__ import annotations

import pytest

from engine import Engine, PermissionDenied, access, queries
from engine.policy import OpenCatalogue, SupervisionRules


def _start(engine, session, people):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    return case


def test_without_a_catalogue_only_administrators_oversee_cases(session, people, root, deployed, clock):
    engine = Engine(clock=clock)
    assert engine.supervision == SupervisionRules() == SupervisionRules(all_cases=frozenset({"admin"}))
    case = _start(engine, session, people)
    rules = engine.supervision
    for name in ("director", "supervisor_east", "cs_li"):
        assert not access.may_supervise(session, people[name], case, rules=rules)
        assert not access.may_view_dashboard(people[name], rules=rules)
    with pytest.raises(PermissionDenied):
        engine.suspend(session, case.id, people["director"], "checking")
    every = queries.CaseFilter()
    assert queries.list_cases(session, people["director"], every, clock(), rules=rules).total == 0
    assert queries.list_cases(session, people["manager_sh001"], every, clock(), rules=rules).total == 1
    assert access.may_supervise(session, root, case, rules=rules)
    assert access.may_view_dashboard(root, rules=rules)
    assert engine.suspend(session, case.id, root, "checking").status == "suspended"


def test_a_catalogue_names_who_oversees_which_cases(session, people, root, deployed, clock):
    class Catalogue(OpenCatalogue):
        supervision = SupervisionRules(all_cases=frozenset(), regional=frozenset({"store_supervisor"}),
                                       processes={"cs_agent": frozenset({"lanes_gateway"})})

    engine = Engine(clock=clock, catalogue=Catalogue())
    case = _start(engine, session, people)
    rules = engine.supervision
    overseers = {name for name, user in {**people, "root": root}.items()
                 if access.may_supervise(session, user, case, rules=rules)}
    assert overseers == {"cs_li", "supervisor_east"}  # SH001 is in EAST; no role sees every case
    assert {name for name, user in people.items() if access.may_view_dashboard(user, rules=rules)} == {
        "cs_li", "supervisor_east", "supervisor_north"}
    assert engine.suspend(session, case.id, people["cs_li"], "checking").status == "suspended"
    with pytest.raises(PermissionDenied):
        engine.resume(session, case.id, root, "checking")
