"""deploy/ run for real: Debian's nginx with the site file as it is (only its ports, certificate and log
paths swapped for free ports and a temporary folder), in front of the web unit's `ExecStart` and two
instances of the worker unit's, each with the unit's `EnvironmentFile`/`Environment` (systemd itself
cannot run here: the units are parsed), on a PostgreSQL database of its own. Through nginx: /healthz,
/readyz (the runner `ok` once a worker beat), the sign-in page, an API call whose request id nginx
made and the app echoed and logged, /metrics refused by nginx but answered by the app with the token;
then SIGTERM stops every process with status 0. The README's production steps are the units'."""
from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from config import ROOT

DEPLOY = ROOT / "deploy"
BOOT_SECONDS = 180  # the web unit prepares the database (every model deployed) before it forks
OPSFLOW = "/opt/opsflow/.venv/bin/opsflow"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def unit(name: str) -> dict[str, list[str]]:
    """The [Service] settings of a unit file: name → values in order (systemd's repeatable keys)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def environment_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def unit_environment(settings: dict[str, list[str]], files: dict[str, Path]) -> dict[str, str]:
    """EnvironmentFile= first, then Environment= (systemd's order), with the files found in `files`."""
    env: dict[str, str] = {}
    for path in settings.get("EnvironmentFile", []):
        env.update(environment_file(files[path.lstrip("-")]))
    for assignments in settings.get("Environment", []):
        env.update(item.split("=", 1) for item in shlex.split(assignments))
    return env


def command(settings: dict[str, list[str]], specifiers: dict[str, str], port: int) -> list[str]:
    """The unit's ExecStart with this checkout's Python for the installed `opsflow`, systemd's %-specifiers
    filled in and the web port swapped."""
    [line] = settings["ExecStart"]
    for spec, value in specifiers.items():
        line = line.replace(spec, value)
    program, *args = shlex.split(line)
    assert program == OPSFLOW
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    return [sys.executable, "-c", "from webapp.cli import main; main()", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_site(tmp: Path, app_port: int, tls_port: int, plain_port: int) -> Path:
    """The site file with its directives as they are; only what names this machine is swapped."""
    site = (DEPLOY / "nginx-opsflow.conf").read_text(encoding="utf-8")
    for old, new in (("127.0.0.1:8000;", f"127.0.0.1:{app_port};"),
                     ("listen 443 ", f"listen 127.0.0.1:{tls_port} "),
                     ("listen 80;", f"listen 127.0.0.1:{plain_port};"),
                     ("/etc/ssl/opsflow/", f"{tmp}/"),
                     ("/var/log/nginx/", f"{tmp}/")):
        assert old in site, old
        site = site.replace(old, new)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=opsflow.example.com", "-keyout", str(tmp / "privkey.pem"),
                    "-out", str(tmp / "fullchain.pem")], check=True, capture_output=True)
    (tmp / "site.conf").write_text(site, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers may read the temporary folder
    main = tmp / "nginx.conf"
    main.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n  access_log {tmp}/other.log;\n  client_body_temp_path {tmp}/body;\n"
        f"  proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n"
        f"  uwsgi_temp_path {tmp}/uwsgi;\n"
        f"  scgi_temp_path {tmp}/scgi;\n  include {tmp}/site.conf;\n}}\n", encoding="utf-8")
    return main


class Through:
    """HTTPS to nginx as opsflow.example.com (its self-signed certificate trusted)."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cert))
        self.context.check_hostname = False  # the certificate names opsflow.example.com, we dial 127.0.0.1

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=20)
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Host": "opsflow.example.com", **({"Content-Type": "application/json"} if data else {}),
                **(headers or {})}
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def plain(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": "opsflow.example.com", **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def wait_for(check, what: str, processes: dict[str, subprocess.Popen], logs: Path) -> Any:
    deadline = time.monotonic() + BOOT_SECONDS
    while True:
        for name, process in processes.items():
            assert process.poll() is None, f"{name} exited: " + tail(logs)
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no {what}: " + tail(logs)
        time.sleep(0.3)  # processes are booting: nothing here depends on the clock


def tail(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
                     for p in sorted(logs.glob("*.log")))


@pytest.fixture
def deployed(tmp_path, own_postgres_database):
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx is missing: scripts/test-services.sh installs Debian's nginx (run `make test`)")
    logs = tmp_path / "logs"
    logs.mkdir()
    app_port, tls_port, plain_port = free_port(), free_port(), free_port()
    with own_postgres_database("deploy") as database_url:
        env_file = tmp_path / "opsflow.env"
        values = environment_file(DEPLOY / "opsflow.env")
        values.update(DATABASE_URL=database_url, SECRET_KEY="deploy-test-" + "x" * 40,
                      OPSFLOW_UPLOAD_DIR=str(tmp_path / "uploads"),
                      PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), OPSFLOW_WEB_WORKERS="2",
                      OPSFLOW_METRICS_TOKEN="deploy-test-metrics-token")
        values.pop("OPSFLOW_SMTP_HOST")  # no mail server here: e-mails stay in the outbox
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        (tmp_path / "metrics").mkdir()  # systemd's RuntimeDirectory=
        files = {"/etc/opsflow/opsflow.env": env_file}
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSFLOW_", "PROMETHEUS_"))}
        processes: dict[str, subprocess.Popen] = {}
        web = unit("opsflow-web.service")
        worker = unit("opsflow-worker@.service")
        starts = [("web", web, {})] + [(f"worker{i}", worker, {"%H": "testhost", "%i": str(i)})
                                       for i in (1, 2)]
        try:
            for name, settings, specifiers in starts:
                assert settings["WorkingDirectory"] == ["/opt/opsflow"]
                with (logs / f"{name}.log").open("wb") as out:
                    processes[name] = subprocess.Popen(
                        command(settings, specifiers, app_port), cwd=ROOT, stdout=out,
                        stderr=subprocess.STDOUT, env={**base_env, **unit_environment(settings, files)},
                        start_new_session=True)
            nginx_conf = nginx_site(tmp_path, app_port, tls_port, plain_port)
            with (logs / "nginx.log").open("wb") as out:
                processes["nginx"] = subprocess.Popen(
                    [NGINX, "-c", str(nginx_conf), "-p", str(tmp_path)], stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True)
            through = Through(tls_port, tmp_path / "fullchain.pem")
            wait_for(lambda: through.request("GET", "/healthz")[0] == 200, "answer through nginx",
                     processes, logs)
            yield {"through": through, "app_port": app_port, "plain_port": plain_port, "tmp": tmp_path,
                   "processes": processes, "logs": logs, "env": {**base_env, **values}, "token": values[
                       "OPSFLOW_METRICS_TOKEN"]}
        finally:
            for process in processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def test_the_units_behind_nginx_answer_and_stop_on_sigterm(deployed):
    through, processes, logs = deployed["through"], deployed["processes"], deployed["logs"]
    assert plain(deployed["plain_port"], "/tasks?x=1")[:2][0] == 301
    assert plain(deployed["plain_port"], "/tasks?x=1")[1]["location"] == "https://opsflow.example.com/tasks?x=1"

    def ready() -> dict[str, Any] | None:
        status, _headers, body = through.request("GET", "/readyz")
        answer = json.loads(body)
        return answer if status == 200 and answer["checks"]["runner"] == "ok" else None
    answer = wait_for(ready, "runner ok in /readyz", processes, logs)
    assert answer["checks"]["database"] == "ok" and answer["checks"]["schema"] == "ok"

    status, headers, body = through.request("GET", "/login")
    assert status == 200 and b"<form" in body and "csrf" in body.decode().lower()

    add = subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()", "add-user", "ops",
                          "--role", "admin", "--password-stdin"], input="deploy-test-password-1\n", text=True,
                         cwd=ROOT, env=deployed["env"], capture_output=True, timeout=120)
    assert add.returncode == 0, add.stdout + add.stderr
    status, _headers, body = through.request("POST", "/api/v1/login",
                                             {"username": "ops", "password": "deploy-test-password-1"})
    assert status == 200, body
    token = json.loads(body)["token"]
    status, headers, body = through.request("GET", "/api/v1/processes", headers={
        "Authorization": f"Bearer {token}", "X-Request-ID": "from-the-client"})
    assert status == 200 and isinstance(json.loads(body)["items"], list)
    request_id = headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, not the client's
    # nginx and the app write their log lines as the request ends, which can be after the client has
    # the whole answer: wait for the lines, not for a time
    wait_for(lambda: f"rid={request_id}" in (deployed["tmp"] / "opsflow.access.log").read_text(),
             "request id in nginx's access log", processes, logs)

    def logged() -> bool:
        entries = [json.loads(line) for line in (logs / "web.log").read_text().splitlines()
                   if line.startswith("{")]
        return any(entry.get("request_id") == request_id and entry.get("logger") == "opsflow.request"
                   for entry in entries)

    wait_for(logged, "request id in the app's log", processes, logs)

    assert through.request("GET", "/metrics")[0] == 404  # nginx keeps it off the public side
    direct = f"127.0.0.1:{deployed['app_port']}"
    assert plain(deployed["app_port"], "/metrics", {"Host": direct})[0] == 401
    status, _headers, body = plain(deployed["app_port"], "/metrics",
                                   {"Host": direct, "Authorization": f"Bearer {deployed['token']}"})
    assert status == 200 and b"opsflow_request_seconds_count" in body
    # the workers' own figures, from their processes, in the same scrape (the shared folder)
    scraped = body.decode()
    for worker in ("testhost-worker-1", "testhost-worker-2"):
        assert re.search(rf'opsflow_runner_heartbeat_timestamp_seconds\{{runner="{worker}"\}} \d', scraped)

    for name in ("nginx", "worker1", "worker2", "web"):
        os.killpg(processes[name].pid, signal.SIGTERM)
    for name, process in processes.items():
        assert process.wait(timeout=90) == 0, f"{name}: " + tail(logs)
    assert "OpsFlow worker stopped" in (logs / "worker1.log").read_text()


def readme_steps() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```sh")[1:]]
    return [line.split("  #", 1)[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.startswith("#")]


def test_the_readme_production_steps_are_the_units():
    steps = readme_steps()
    env = environment_file(DEPLOY / "opsflow.env")
    execs = {name: unit(name)["ExecStart"][0] for name in ("opsflow-web.service", "opsflow-worker@.service")}
    copied = [word for step in steps for word in shlex.split(step) if word.startswith("deploy/")]
    assert set(copied) == {f"deploy/{p.name}" for p in DEPLOY.iterdir()}  # every file of deploy/ is installed
    enabled = [shlex.split(step)[3:] for step in steps if step.startswith("systemctl enable --now")]
    assert enabled == [["opsflow-web", "opsflow-worker@1", "opsflow-worker@2"]]
    run = [step for step in steps if OPSFLOW in step]
    assert sorted(run) == sorted(execs.values())  # what each unit runs, as the unit says it
    for step in steps:
        if step.startswith("export "):
            assert {item.split("=", 1)[0] for item in shlex.split(step)[1:]} <= env.keys(), step
