"""deploy/: the example units, nginx site and environment agree with the code they run. Every variable
of the environment is one OpsFlow (or prometheus-client) reads and loads as a production config;
every ExecStart is an `opsflow` command line the CLI accepts; nginx proxies to the port the web unit
listens on, passes the request id and the client's address, and keeps /metrics off the public side.
(tests/webapp/test_serve.py runs `opsflow serve` itself.)"""
from __future__ import annotations

import re
import shlex

import click

from config import ROOT, load_config
from webapp.cli import main

DEPLOY = ROOT / "deploy"
OTHER_READERS = {"PROMETHEUS_MULTIPROC_DIR"}  # prometheus-client's multiprocess folder


def environment() -> dict[str, str]:
    lines = (DEPLOY / "opsflow.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def read_by_opsflow() -> set[str]:
    names = set(re.findall(r'"((?:OPSFLOW_|DATABASE_URL|SECRET_KEY)[A-Z_]*)"',
                           (ROOT / "config.py").read_text(encoding="utf-8")))
    names |= set(re.findall(r'envvar="([A-Z_]+)"', (ROOT / "webapp" / "cli.py").read_text(encoding="utf-8")))
    return names | {"OPSFLOW_CONFIG"}


def exec_start(unit: str) -> list[str]:
    [line] = [line for line in (DEPLOY / unit).read_text(encoding="utf-8").splitlines()
              if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_every_variable_is_read_and_the_environment_is_a_production_config():
    env = environment()
    assert set(env) - read_by_opsflow() - OTHER_READERS == set()
    settings = load_config(None, env)
    assert settings["CONFIG_NAME"] == "production" and settings["LOG_FORMAT"] == "json"
    assert settings["TRUSTED_PROXIES"] == 1 and settings["METRICS_TOKEN"]
    assert settings["DB_POOL_PRE_PING"] is True and settings["DB_POOL_RECYCLE_SECONDS"] == 1800
    assert settings["DB_POOL_PING_IDLE_SECONDS"] == 0.5


def test_every_unit_runs_an_opsflow_command_the_cli_accepts():
    for unit in ("opsflow-web.service", "opsflow-worker@.service"):
        program, *args = exec_start(unit)
        assert program == "/opt/opsflow/.venv/bin/opsflow", unit
        name, *rest = [arg.replace("%H", "host").replace("%i", "1") for arg in args]
        parent = click.Context(main, info_name="opsflow")
        command = main.get_command(parent, name)
        assert isinstance(command, click.Command) and name in ("serve", "worker"), unit
        command.make_context(name, rest, parent=parent)  # raises on an unknown option or a bad value


def test_nginx_proxies_to_the_web_unit_with_the_request_id_and_hides_the_metrics():
    site = (DEPLOY / "nginx-opsflow.conf").read_text(encoding="utf-8")
    args = exec_start("opsflow-web.service")
    port = args[args.index("--port") + 1]
    assert f"server 127.0.0.1:{port};" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert body_mb * 2 ** 20 > load_config("production", environment())["MAX_CONTENT_LENGTH"]
