"""The SMTP transport against a real SMTP server on loopback (aiosmtpd): what arrives, byte for byte
where it matters, and what happens when the server refuses or is down."""
from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from engine.delivery import Policy, Rendered, SmtpSettings, SmtpTransport, deliver_due
from engine.models import EMAIL, FAILED, SENT, OutboxMessage
from tests.mailbox import MailServer

from .conftest import plain_renderer

CHINESE = "【待办】门店装修申请 · 审批"
FROM = "OpsFlow 运营 <ops@opsflow.example>"


@pytest.fixture
def server():
    with MailServer() as running:
        yield running


def transport(server: MailServer, **options) -> SmtpTransport:
    return SmtpTransport(SmtpSettings("127.0.0.1", server.port, mail_from=FROM, timeout=5,
                                      helo="opsflow.test", **options))


def mail(outbox_id: int, to: str = "ann@opsflow.example") -> Rendered:
    return Rendered(outbox_id, EMAIL, to, subject=CHINESE, text="请处理：门店装修申请\nhttp://ops/tasks/7\n",
                    html="<p>请处理：<a href=\"http://ops/tasks/7\">门店装修申请</a></p>")


def test_a_message_arrives_multipart_with_encoded_chinese_subject_and_headers(server):
    [outcome] = transport(server).send([mail(41)])
    assert outcome.ok
    [(recipients, msg)] = server.mailbox.received
    raw = server.mailbox.raw[0].decode("ascii")  # 7-bit clean on the wire
    assert recipients == ["ann@opsflow.example"]
    assert msg["Subject"] == CHINESE
    assert "Subject: =?utf-8?" in raw
    assert msg["From"] == "OpsFlow 运营 <ops@opsflow.example>"
    assert msg["From"].addresses[0].addr_spec == "ops@opsflow.example"
    assert msg["To"] == "ann@opsflow.example"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@opsflow.example>")
    assert "outbox41" in msg["Message-ID"]
    assert msg["Date"].datetime.utcoffset() == timedelta(0)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-OpsFlow-Outbox-Id"] == "41"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.iter_parts()
    assert (text.get_content_type(), text.get_content_charset()) == ("text/plain", "utf-8")
    assert text["Content-Transfer-Encoding"] == "base64"
    assert text.get_content() == "请处理：门店装修申请\nhttp://ops/tasks/7\n"
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert '<a href="http://ops/tasks/7">门店装修申请</a>' in html.get_content()


def test_one_connection_carries_the_whole_batch(server):
    outcomes = transport(server).send([mail(i) for i in range(1, 21)])
    assert all(o.ok for o in outcomes) and len(server.mailbox.received) == 20
    assert server.mailbox.connections == 1
    assert [m["X-OpsFlow-Outbox-Id"] for m in server.mailbox.messages] == [str(i) for i in range(1, 21)]


def test_a_permanent_refusal_is_not_retried_and_the_batch_goes_on(server):
    server.mailbox.unknown = {"gone@opsflow.example"}
    first, second, third = transport(server).send([mail(1), mail(2, "gone@opsflow.example"), mail(3)])
    assert first.ok and third.ok
    assert (second.ok, second.retry) == (False, False) and second.error.startswith("550")
    assert [m["X-OpsFlow-Outbox-Id"] for m in server.mailbox.messages] == ["1", "3"]


def test_a_temporary_refusal_holds_the_rest_of_the_batch_to_keep_the_order(server):
    server.mailbox.refuse_data = 1
    first, second, third = transport(server).send([mail(1), mail(2), mail(3)])
    assert (first.ok, first.retry, first.error) == (False, True, "451 4.3.0 try again later")
    assert (second.ok, second.retry, third.ok, third.retry) == (False, True, False, True)
    assert "kept in order" in second.error and server.mailbox.messages == []


def test_a_server_that_is_down_leaves_every_message_to_retry():
    down = MailServer()  # never started: the port refuses connections
    outcomes = transport(down).send([mail(1), mail(2)])
    assert [(o.ok, o.retry) for o in outcomes] == [(False, True)] * 2
    assert "cannot connect" in outcomes[0].error


def test_login_when_a_user_is_configured():
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((mechanism, auth_data.login, auth_data.password))
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS: loopback only
        server = MailServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        assert transport(server, username="mailer", password="s3cret").send([mail(1)])[0].ok
        assert seen and seen[0][1:] == (b"mailer", b"s3cret")
    finally:
        server.stop()


def test_refusing_then_recovering_delivers_each_message_once_in_order(sessions, session, clock, queue):
    ids = queue(5)
    server = MailServer()
    smtp = transport(server)
    policy = Policy(batch=50, max_attempts=5, backoff=timedelta(seconds=30))
    run = deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy)  # down
    assert run.retried == 5
    with server:
        server.mailbox.refuse_data = 1  # up, but refusing the first message for now
        clock.advance(seconds=30)
        run = deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy)
        assert (run.sent, run.retried) == (0, 5)
        clock.advance(seconds=60)
        assert deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy).sent == 5
        clock.advance(hours=2)
        assert deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy).batches == 0
    got = [int(m["X-OpsFlow-Outbox-Id"]) for m in server.mailbox.messages]
    assert got == ids  # each once, in the order queued
    session.expire_all()
    assert {r.status for r in session.scalars(select(OutboxMessage))} == {SENT}
    assert FAILED not in {r.status for r in session.scalars(select(OutboxMessage))}


def test_a_server_down_then_up_delivers_in_order(sessions, session, clock, queue):
    ids = queue(4)
    server = MailServer()
    smtp = transport(server)
    policy = Policy(batch=50, max_attempts=5)
    deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy)
    clock.advance(seconds=30)
    deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy)  # still down
    with server:
        clock.advance(seconds=60)
        assert deliver_due(sessions, {EMAIL: smtp}, plain_renderer, clock, policy=policy).sent == 4
    assert [int(m["X-OpsFlow-Outbox-Id"]) for m in server.mailbox.messages] == ids


def test_a_long_mixed_subject_keeps_its_spaces_across_folds(server):
    subject = "[OpsFlow] 李客服 cc’d you on this case · 王女士投诉 · SH001 · 门店装修申请 · 第二轮审批 please"
    transport(server).send([Rendered(1, EMAIL, "ann@opsflow.example", subject=subject, text="x")])
    [msg] = server.mailbox.messages
    assert msg["Subject"] == subject
    head = server.mailbox.raw[0].split(b"\r\n\r\n")[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


def test_newer_batches_do_not_overtake_a_refused_one(sessions, session, clock, queue, server):
    ids = queue(25)
    server.mailbox.refuse_data = 1
    policy = Policy(batch=10)
    run = deliver_due(sessions, {EMAIL: transport(server)}, plain_renderer, clock, policy=policy)
    assert (run.batches, run.sent, run.retried) == (1, 0, 10)
    clock.advance(seconds=1)
    assert deliver_due(sessions, {EMAIL: transport(server)}, plain_renderer, clock, policy=policy).sent == 0
    clock.advance(seconds=29)
    assert deliver_due(sessions, {EMAIL: transport(server)}, plain_renderer, clock, policy=policy).sent == 25
    assert [int(m["X-OpsFlow-Outbox-Id"]) for m in server.mailbox.messages] == ids


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_on_postgresql_deliver_each_message_once_to_a_real_server(sessions, session, clock, queue,
                                                                             server):
    import threading
    ids = queue(120)
    start = threading.Barrier(2)
    runs = {}

    def work(name: str) -> None:
        start.wait()
        runs[name] = deliver_due(sessions, {EMAIL: transport(server)}, plain_renderer, clock, worker=name,
                                 policy=Policy(batch=7))
    threads = [threading.Thread(target=work, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sorted(int(m["X-OpsFlow-Outbox-Id"]) for m in server.mailbox.messages)
    assert got == ids  # every message, none twice
    assert runs["one"].sent + runs["two"].sent == 120 and runs["one"].sent and runs["two"].sent  # both worked
    session.expire_all()
    assert {r.status for r in session.scalars(select(OutboxMessage))} == {SENT}


def test_starttls_then_login_with_the_servers_certificate_checked(tmp_path):
    import ssl
    import subprocess
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"s3cret")
    with MailServer(tls_context=context, require_starttls=True, authenticator=authenticator) as server:
        ok = transport(server, starttls=True, cafile=str(cert), username="mailer", password="s3cret")
        assert ok.send([mail(1)])[0].ok
        unchecked = transport(server, starttls=True, username="mailer", password="s3cret")  # no CA: refused
        refused = unchecked.send([mail(2)])[0]
        assert not refused.ok and refused.retry and "CERTIFICATE_VERIFY_FAILED" in refused.error
    assert logins == [(b"mailer", True)]
    assert [m["X-OpsFlow-Outbox-Id"] for m in server.mailbox.messages] == ["1"]


def test_a_text_only_message_is_one_part_and_a_title_cannot_add_a_header(server):
    sneaky = Rendered(5, EMAIL, "ann@opsflow.example", subject="Hello\r\nBcc: evil@example.com",
                      text="纯文本\n")
    assert transport(server).send([sneaky])[0].ok
    [(recipients, msg)] = server.mailbox.received
    assert recipients == ["ann@opsflow.example"] and msg["Bcc"] is None
    assert msg["Subject"] == "Hello Bcc: evil@example.com"
    assert (msg.get_content_type(), msg.get_content_charset(), msg["Content-Transfer-Encoding"]) == (
        "text/plain", "utf-8", "base64")
    assert msg.get_content() == "纯文本\n"


def test_an_address_that_would_add_a_line_fails_without_sending(server):
    bad, good = transport(server).send([mail(1, "ann@opsflow.example\r\nBcc: evil@example.com"), mail(2)])
    assert (bad.ok, bad.retry) == (False, False) and "not an address" in bad.error
    assert good.ok and [m["X-OpsFlow-Outbox-Id"] for m in server.mailbox.messages] == ["2"]
