"""The group robot delivery section runs end to end at a tiny size (no timing asserted)."""
from bench import robots


def test_robot_delivery_rows():
    table = robots.measure(messages=20)
    assert [(row[0], row[2]) for row in table.rows] == [("wecom", 20), ("dingtalk", 20), ("feishu", 20)]
    assert all(row[4] > 0 for row in table.rows) and len(table.targets) == 3
    assert "Group robot delivery" in table.render()
