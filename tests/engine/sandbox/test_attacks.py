"""Attacks on the script sandbox through real models, on SQLite and PostgreSQL: refused at deploy
when the code says it, stopped within the limit when only running it can tell, named, nothing stored."""
import hashlib
import time
from pathlib import Path

import pytest

from engine import DeployError, Engine, ProcessError, queries
from engine.bpmn.deploy import deploy_directory
from engine.models import ModelFile, ProcessDefinition, ProcessInstance, ProcessVersion
from engine.sandbox.script_engine import ScriptLimits

LIMITS = ScriptLimits(seconds=1, memory=256 * 1024 * 1024)
SLACK = 1.5  # seconds over the limit a refusal may take on a loaded test machine: the kill, the rollback

RUNTIME_ATTACKS = {  # the `attack` chosen in the case data -> the script task of sandbox.bpmn that tries it
    "loop": "do_loop",                 # while True: n += 1
    "alias_str": "do_alias_str",       # a = [a, a] sixty times, then str(a): one builtin call, 2^60 items
    "alias_repr": "do_alias_repr",     # the same with repr(a)
    "alias_eq": "do_alias_eq",         # two such lists compared with ==
    "memory": "do_memory",             # 5 000 lists of 10 000 numbers
    "store_alias": "do_store_alias",   # the 2^60-item list left in the case data
    "big_data": "do_big_data",         # ten million characters written into the case
}
ESCAPES = {  # escape.bpmn, as a version stored before deploy compiled scripts
    "import": "do_import",            # import os
    "open": "do_open",                # open("/etc/passwd")
    "subclasses": "do_subclasses",    # ().__class__.__base__.__subclasses__()
}


@pytest.fixture
def limited(clock) -> Engine:
    """An engine whose scripts may run one second and use 256 MB."""
    return Engine(clock=clock, script_limits=LIMITS)


@pytest.fixture
def legacy_escape(session, clock) -> None:
    """escape.bpmn stored as it could be before deploy compiled every script (deploy refuses it now)."""
    content = (Path(__file__).parent / "escape.bpmn").read_text("utf-8")
    digest = hashlib.sha256(content.encode()).hexdigest()
    definition = ProcessDefinition(key="escape", name="脚本逃逸（旧版本）", latest_version=1)
    version = ProcessVersion(definition=definition, version=1, checksum=digest, deployed_at=clock())
    version.files = [ModelFile(kind="bpmn", filename="escape.bpmn", checksum=digest, content=content)]
    session.add_all([definition, version])
    session.commit()


def test_deploy_refuses_the_escape_model_naming_file_line_element_and_reason(session, people, tmp_path, clock,
                                                                              dump):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "escape.bpmn").write_text((Path(__file__).parent / "escape.bpmn").read_text("utf-8"))
    before = dump(session)
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, folder, now=clock())
    assert str(refused.value) == ("escape.bpmn, line 22, element do_import: script: "
                                  "'import' is not allowed in model scripts")
    assert (refused.value.filename, refused.value.element, refused.value.line) == (
        "escape.bpmn", "do_import", 22)
    session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize("attack", list(ESCAPES))
def test_a_version_stored_before_deploy_checked_scripts_is_still_refused_when_it_runs(
        engine, session, people, legacy_escape, dump, attack):
    before = dump(session)
    with pytest.raises(ProcessError) as refused:
        engine.start(session, "escape", people["manager_sh001"], {"attack": attack})
    assert refused.value.element == ESCAPES[attack]
    assert "not allowed" in str(refused.value) or "invalid attribute name" in str(refused.value)
    session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize("attack", list(RUNTIME_ATTACKS))
def test_a_runaway_script_refuses_the_start_within_its_limit(limited, session, people, deployed, dump,
                                                             attack):
    before = dump(session)
    started = time.perf_counter()
    with pytest.raises(ProcessError) as refused:
        limited.start(session, "sandbox", people["manager_sh001"], {"attack": attack})
    assert time.perf_counter() - started < LIMITS.seconds + SLACK
    assert refused.value.element == RUNTIME_ATTACKS[attack]
    assert f"element {RUNTIME_ATTACKS[attack]}" in str(refused.value)
    assert "ScriptLimitError" in str(refused.value)
    session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize("attack", ["loop", "alias_eq"])
def test_a_runaway_script_refuses_the_completion_and_the_task_stays_open(
        limited, session, people, deployed, dump, clock, attack):
    m1 = people["manager_sh001"]
    case = limited.start(session, "sandbox", m1, {"attack": "later", "store_code": "SH001"})
    session.commit()
    [choose] = case.open_tasks
    assert choose.element_id == "choose_attack"
    before = dump(session)
    with pytest.raises(ProcessError) as refused:
        limited.complete(session, choose.id, m1, {"attack": attack})
    assert refused.value.element == RUNTIME_ATTACKS[attack]
    session.rollback()
    assert dump(session) == before
    session.expire_all()
    instance = session.get(ProcessInstance, case.id)
    assert (instance.status, instance.outcome) == ("running", None)
    assert [t.id for t in queries.list_tasks(session, m1, queries.TaskFilter(), clock()).items] == [choose.id]
    # the worker that was killed has been replaced: the next command runs scripts as before
    done = limited.complete(session, choose.id, m1, {"attack": "traceback"})
    assert done.status == "completed"


def test_an_exception_stored_by_a_script_carries_no_memory_address(limited, session, people, deployed):
    case = limited.start(session, "sandbox", people["manager_sh001"], {"attack": "traceback"})
    session.commit()
    state = session.get(ProcessInstance, case.id).state
    assert "<built-in method with_traceback of TypeError object>" in state
    assert "unsupported operand type(s) for +: 'int' and 'NoneType'" in state
    assert " at 0x" not in state
