"""`opsflow worker`: one pass (`--once`) sends the due outbox to the configured SMTP server; as a
process of its own it stops on SIGTERM after the work in hand."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timezone

from click.testing import CliRunner
from sqlalchemy import select

from engine.db import make_sessions, make_sql_engine
from engine.delivery import enqueue, outbox_row
from engine.models import EMAIL, SENT, OutboxMessage, User
from tests.mailbox import MailServer
from webapp.cli import main

from .test_cli import REPO


def _env(tmp_path, **extra: str) -> dict[str, str | None]:
    return {"OPSFLOW_CONFIG": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite'}",
            "OPSFLOW_UPLOAD_DIR": str(tmp_path / "uploads"), "OPSFLOW_BPMN_DIR": None,
            "OPSFLOW_FORMS_DIR": None, "OPSFLOW_DEMO": None, "SECRET_KEY": None,
            "OPSFLOW_SMTP_HOST": None, **extra}


def _queue(tmp_path, username: str) -> None:
    sql_engine = make_sql_engine(f"sqlite:///{tmp_path / 'worker.sqlite'}")
    try:
        with make_sessions(sql_engine)() as session:
            user = session.scalar(select(User).where(User.username == username))
            enqueue(session, [outbox_row(EMAIL, "assigned", {"title": "门店报修", "business_key": "R-1",
                                                             "step": "店长确认"},
                                         datetime(2020, 1, 1, tzinfo=timezone.utc), recipient_id=user.id)])
            session.commit()
    finally:
        sql_engine.dispose()


def _statuses(tmp_path) -> list[str]:
    sql_engine = make_sql_engine(f"sqlite:///{tmp_path / 'worker.sqlite'}")
    try:
        with make_sessions(sql_engine)() as session:
            return list(session.scalars(select(OutboxMessage.status)))
    finally:
        sql_engine.dispose()


def test_worker_once_sends_the_due_outbox(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"], env=_env(tmp_path), catch_exceptions=False).exit_code == 0
    _queue(tmp_path, "manager_sh001")
    with MailServer() as server:
        result = runner.invoke(main, ["worker", "--once"], catch_exceptions=False, env=_env(
            tmp_path, OPSFLOW_SMTP_HOST="127.0.0.1", OPSFLOW_SMTP_PORT=str(server.port),
            OPSFLOW_MAIL_FROM="OpsFlow <ops@opsflow.example>", OPSFLOW_BASE_URL="https://ops.example.cn"))
    assert result.exit_code == 0, result.output
    assert "delivery: sent 1, retried 0, failed 0" in result.output and "timers:" in result.output
    [(recipients, msg)] = server.mailbox.received
    assert recipients == ["manager_sh001@opsflow.example"]
    assert "门店报修" in msg["Subject"]
    assert "https://ops.example.cn/inbox" in msg.get_body(("plain",)).get_content()
    assert _statuses(tmp_path) == [SENT]


def test_worker_without_smtp_leaves_mail_in_the_outbox(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"], env=_env(tmp_path), catch_exceptions=False).exit_code == 0
    _queue(tmp_path, "manager_sh001")
    result = runner.invoke(main, ["worker", "--once"], env=_env(tmp_path), catch_exceptions=False)
    assert result.exit_code == 0 and "OPSFLOW_SMTP_HOST is not set" in result.output
    assert "delivery: sent 1" not in result.output
    assert _statuses(tmp_path) == ["pending"]


def test_worker_process_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSFLOW_") and k not in ("DATABASE_URL",
                                                                                              "SECRET_KEY")}
    env.update({k: v for k, v in _env(tmp_path).items() if v is not None})
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "worker"]  # this tree's code
    worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if "OpsFlow worker running" in line:
                break
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "finishing the current batch" in output and "OpsFlow worker stopped" in output
