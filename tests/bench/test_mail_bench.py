"""The e-mail delivery benchmark runs end to end on a small queue (its figures are not checked here)."""
from __future__ import annotations

from bench import mail_delivery


def test_mail_delivery_rows():
    [row] = mail_delivery.measure(messages=30, batch=10)
    assert (row.database, row.messages, row.connections) == ("SQLite", 30, 3)
    assert row.per_second > 0
    table = mail_delivery.table([row]).render()
    assert "messages/s" in table and "e-mails at >= 200/s" in table
