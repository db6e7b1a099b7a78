"""The demo's work in progress (`workflows.demo_cases`) starts on the demo world and leaves the daily
hand-offs waiting for the people who try them: the supervisor approves the trainer's advance, the
SH002 manager rectifies what the trainer's inspection found."""
from workflows.demo_cases import start_demo_cases


def test_the_demo_cases_start_and_wait_for_their_people(sqlite_world):
    world = sqlite_world
    with world.sessions() as s:
        assert start_demo_cases(world.engine, s) == 9
        s.commit()
    assert [t.element_id for t in world.visible_tasks("supervisor_east", "expense_claim")] == [
        "supervisor_approval"]
    assert [t.element_id for t in world.visible_tasks("manager_sh002", "store_inspection")] == [
        "rectify", "rectify"]
