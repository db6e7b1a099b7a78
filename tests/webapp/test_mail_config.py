"""The SMTP settings from the environment, and the transports they set up."""
from __future__ import annotations

from config import load_config
from engine.delivery import SmtpTransport
from webapp.notices import transports_for


def test_smtp_settings_come_from_the_environment():
    settings = load_config("test", {"OPSFLOW_SMTP_HOST": "smtp.example.com", "OPSFLOW_SMTP_PORT": "587",
                                    "OPSFLOW_SMTP_STARTTLS": "1", "OPSFLOW_SMTP_USER": "ops@example.com",
                                    "OPSFLOW_SMTP_PASSWORD": "pw", "OPSFLOW_SMTP_CAFILE": "/etc/ca.pem",
                                    "OPSFLOW_MAIL_FROM": "OpsFlow 运营中心 <ops@example.com>",
                                    "OPSFLOW_BASE_URL": "https://opsflow.example.com",
                                    "OPSFLOW_DELIVERY_MAX_ATTEMPTS": "3"})
    smtp = transports_for(settings)["email"]
    assert isinstance(smtp, SmtpTransport)
    s = smtp.settings
    assert (s.host, s.port, s.starttls, s.username, s.password, s.cafile) == (
        "smtp.example.com", 587, True, "ops@example.com", "pw", "/etc/ca.pem")
    assert smtp.envelope_from == "ops@example.com"
    assert (settings["BASE_URL"], settings["DELIVERY_MAX_ATTEMPTS"]) == ("https://opsflow.example.com", 3)


def test_without_a_host_no_mail_leaves():
    settings = load_config("test", {})
    transports = transports_for(settings)
    assert settings["SMTP_STARTTLS"] is False and "email" not in transports
    assert set(transports) == {"wecom", "dingtalk", "feishu"}  # robots always: they are kept in /admin
