"""The engine is a library: no web stack, and all it knows of a case lives in the database."""
import subprocess
import sys
from pathlib import Path

from engine import Engine
from engine.models import User

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_engine_does_not_import_the_web_stack():
    code = ("import sys, engine, workflows; bad = {m for m in sys.modules if m.split('.')[0] in "
            "{'flask', 'webapp', 'flask_sqlalchemy', 'flask_login'}}; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_a_new_engine_continues_a_case_from_the_database(sessions, session, people, deployed, clock):
    case = Engine(clock=clock).start(session, "lanes_gateway", people["manager_sh001"],
                                     {"store_code": "SH001", "amount": 120})
    session.commit()
    session.close()

    fresh, fresh_session = Engine(clock=clock), sessions()  # as after a restart: nothing in memory
    with fresh_session:
        user = fresh_session.get(User, people["manager_sh001"].id)
        case = fresh.complete(fresh_session, case.open_tasks[0].id, user, {"summary": "after restart"})
        fresh_session.commit()
    assert [t.element_id for t in case.open_tasks] == ["approve"]

    with sessions() as third:
        director = third.get(User, people["director"].id)
        case = Engine(clock=clock).complete(third, case.open_tasks[0].id, director, {"approved": True})
        third.commit()
    assert (case.status, case.outcome) == ("completed", "approved")
