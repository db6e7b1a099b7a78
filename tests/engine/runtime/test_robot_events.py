"""What the stores' group robots hear (issue 12): a command's new tasks, urges and the case's end,
queued as outbox rows for the robots whose scope and events match, in the command's transaction."""
from sqlalchemy import select

from engine import runtime
from engine.delivery import SCOPED_DEFAULT, robot_event, route_robot_events, tell_robots_overdue
from engine.models import OutboxMessage, Robot

SH001 = {"store_code": "SH001", "amount": 120}


def _robots(session, clock):
    made = {}
    for name, kind, scope, value, events, active in [
            ("sh001", "wecom", "store", "SH001", list(SCOPED_DEFAULT), True),
            ("sh002", "dingtalk", "store", "SH002", list(SCOPED_DEFAULT), True),
            ("east", "feishu", "region", "EAST", ["case_ended"], True),
            ("center", "wecom", "center", None, ["task_created", "task_urged", "case_ended"], True),
            ("off", "wecom", "store", "SH001", list(SCOPED_DEFAULT), False),
            ("mute", "wecom", "store", "SH001", [], True)]:
        robot = Robot(name=name, kind=kind, scope=scope, scope_value=value, url=f"http://x/{name}",
                      secret=None, events=events, active=active, created_at=clock())
        session.add(robot)
        made[name] = robot
    session.commit()
    return {r.id: name for name, r in made.items()}


def _heard(session, names):
    session.expire_all()
    return [(names[m.robot_id], m.channel, m.kind, m.payload.get("step"), m.payload.get("outcome"))
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.robot_id.is_not(None))
                                     .order_by(OutboxMessage.id))]


def test_store_region_and_center_robots_hear_what_they_chose(engine, session, people, deployed, clock):
    names = _robots(session, clock)
    case = engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.commit()
    assert _heard(session, names) == [("sh001", "wecom", "task_created", "门店填报", None),
                                      ("center", "wecom", "task_created", "门店填报", None)]
    [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.robot_id.is_not(None)).limit(1))
    assert row.payload["store_code"] == "SH001" and row.payload["region"] == "EAST"
    assert row.payload["business_key"] == case.business_key and row.payload["title"] == case.title
    assert row.payload["task_id"] == case.open_tasks[0].id and row.instance_id == case.id
    assert row.status == "pending" and row.recipient_id is None
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    runtime.urge(engine, session, case.open_tasks[0].id, people["supervisor_east"], "hurry")
    session.commit()
    engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": False})
    session.commit()
    assert _heard(session, names)[2:] == [
        ("sh001", "wecom", "task_created", "总监审批", None),
        ("center", "wecom", "task_created", "总监审批", None),
        ("center", "wecom", "task_urged", "总监审批", None),
        ("sh001", "wecom", "case_ended", None, "rejected"),
        ("east", "feishu", "case_ended", None, "rejected"),
        ("center", "wecom", "case_ended", None, "rejected")]


def test_no_robot_no_message(engine, session, people, deployed, clock):
    engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.commit()
    assert _heard(session, {}) == []


def test_a_withdrawn_case_is_heard_with_its_reason(engine, session, people, deployed, clock):
    names = _robots(session, clock)
    case = engine.start(session, "lanes_gateway", people["manager_sh002"], {**SH001, "store_code": "SH002"})
    session.commit()
    runtime.withdraw(engine, session, case.id, people["manager_sh002"], "started by mistake")
    session.commit()
    ended = [h for h in _heard(session, names) if h[2] == "case_ended"]
    assert ended == [("sh002", "dingtalk", "case_ended", None, "withdrawn"),
                     ("east", "feishu", "case_ended", None, "withdrawn"),
                     ("center", "wecom", "case_ended", None, "withdrawn")]
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case_ended")).first()
    assert row.payload["message"] == "started by mistake"


def test_a_rolled_back_command_queues_nothing(engine, session, people, deployed, clock):
    names = _robots(session, clock)
    engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.rollback()
    assert _heard(session, names) == []


def test_the_reminder_scan_tells_robots_of_an_overdue_task(session, people, clock):
    names = _robots(session, clock)
    due = clock()
    event = robot_event("task_overdue", clock(), instance_id=None, task_id=None, store_code="SH001",
                        region="EAST", title="t", business_key="K-1", step="s", due_at=due)
    assert route_robot_events(session, [event]) == 1  # the store's robot chose it; center did not
    session.commit()
    [row] = session.scalars(select(OutboxMessage))
    assert names[row.robot_id] == "sh001" and row.payload["due_at"] == due.isoformat()


def test_overdue_tasks_are_told_with_their_case(engine, session, people, deployed, clock):
    names = _robots(session, clock)
    case = engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.commit()
    task = case.open_tasks[0]
    assert tell_robots_overdue(session, [task.id], clock()) == 1
    session.commit()
    [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task_overdue"))
    assert names[row.robot_id] == "sh001" and row.instance_id == case.id
    assert {k: row.payload[k] for k in ("task_id", "step", "title", "business_key", "store_code")} == {
        "task_id": task.id, "step": task.name, "title": case.title, "business_key": case.business_key,
        "store_code": "SH001"}
    assert tell_robots_overdue(session, [], clock()) == 0


def test_a_case_no_active_robot_could_hear_sends_no_robot_query(engine, session, people, deployed, clock):
    """Whether any active robot could hear of the case comes with the command's read of it (issue 15):
    none could (one is switched off, one is another store's), so the command asks no more; a region's
    robot added later hears the same case's end."""
    from sqlalchemy import event
    for name, scope, value, active in [("off", "store", "SH001", False), ("sh002", "store", "SH002", True)]:
        session.add(Robot(name=name, kind="wecom", scope=scope, scope_value=value, url=f"http://x/{name}",
                          secret=None, events=list(SCOPED_DEFAULT), active=active, created_at=clock()))
    session.commit()
    case = engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.commit()
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_: sent.append(statement)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
        session.commit()
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert sent and not [s for s in sent if s.lstrip().startswith("SELECT robot.id")]
    assert _heard(session, {}) == []
    east = Robot(name="east", kind="feishu", scope="region", scope_value="EAST", url="http://x/east",
                 secret=None, events=["case_ended"], active=True, created_at=clock())
    session.add(east)
    session.commit()
    engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": False})
    session.commit()
    assert _heard(session, {east.id: "east"}) == [("east", "feishu", "case_ended", None, "rejected")]


def test_a_start_no_active_robot_could_hear_sends_no_robot_query(engine, session, people, deployed, clock):
    """The start reads whether any active robot could hear of the case with its store (issue 15): none
    could, so it asks no more; with one of the store's robots it is told, as before."""
    from sqlalchemy import event
    session.add(Robot(name="sh002", kind="wecom", scope="store", scope_value="SH002", url="http://x/sh002",
                      secret=None, events=list(SCOPED_DEFAULT), active=True, created_at=clock()))
    session.commit()
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_: sent.append(statement)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
        session.commit()
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert sent and not [s for s in sent if s.lstrip().startswith("SELECT robot.id")]
    assert _heard(session, {}) == []
    mine = Robot(name="sh001", kind="wecom", scope="store", scope_value="SH001", url="http://x/sh001",
                 secret=None, events=list(SCOPED_DEFAULT), active=True, created_at=clock())
    session.add(mine)
    session.commit()
    engine.start(session, "lanes_gateway", people["manager_sh001"], SH001)
    session.commit()
    assert [h[:3] for h in _heard(session, {mine.id: "sh001"})] == [("sh001", "wecom", "task_created")]
