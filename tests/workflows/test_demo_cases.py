"""The demo's work in progress (`workflows.demo_cases`) starts on the demo world and leaves the daily
hand-offs waiting for the people who try them: the supervisor approves the trainer's advance, the
SH002 manager rectifies what the trainer's inspection found, the trainer inspects HZ001 for the season
under way."""
from workflows.demo_cases import start_demo_cases


def test_the_demo_cases_start_and_wait_for_their_people(sqlite_world):
    world = sqlite_world
    with world.sessions() as s:
        assert start_demo_cases(world.engine, s) == 10
        s.commit()
    assert [t.element_id for t in world.visible_tasks("supervisor_east", "expense_claim")] == [
        "supervisor_approval"]
    assert [t.element_id for t in world.visible_tasks("manager_sh002", "store_inspection")] == [
        "rectify", "rectify"]
    [season] = world.visible_tasks("trainer_sun", "store_inspection")
    assert (season.element_id, season.store_code) == ("inspect", "HZ001")
    assert world.case_data(season.id)["scheduled_period"] == "2026-09-01T09:00:00+08:00"
