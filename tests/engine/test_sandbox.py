"""Escape attempts from the script sandbox, through a real model: refused, named, nothing stored."""
import pytest

from engine import ProcessError, queries
from engine.models import ProcessInstance

ATTACKS = {  # the `attack` chosen in the case data -> the script task that tries it
    "import": "do_import",            # import os
    "open": "do_open",                # open("/etc/passwd")
    "subclasses": "do_subclasses",    # ().__class__.__base__.__subclasses__()
    "loop": "do_loop",                # while True: n += 1
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_escape_attempt_refuses_the_start(engine, session, people, deployed, dump, attack):
    before = dump(session)
    with pytest.raises(ProcessError) as refused:
        engine.start(session, "sandbox", people["manager_sh001"], {"attack": attack})
    assert refused.value.element == ATTACKS[attack]
    assert f"element {ATTACKS[attack]}" in str(refused.value)
    session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_escape_attempt_refuses_the_completion(engine, session, people, deployed, dump, clock, attack):
    m1 = people["manager_sh001"]
    case = engine.start(session, "sandbox", m1, {"attack": "later", "store_code": "SH001"})
    session.commit()
    [choose] = case.open_tasks
    assert choose.element_id == "choose_attack"
    before = dump(session)
    with pytest.raises(ProcessError) as refused:
        engine.complete(session, choose.id, m1, {"attack": attack})
    assert refused.value.element == ATTACKS[attack]
    session.rollback()
    assert dump(session) == before
    session.expire_all()
    instance = session.get(ProcessInstance, case.id)
    assert (instance.status, instance.outcome) == ("running", None)
    assert [t.id for t in queries.list_tasks(session, m1, queries.TaskFilter(), clock()).items] == [choose.id]
