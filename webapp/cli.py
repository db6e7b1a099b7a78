"""The `opsflow` command: init-db, db (upgrade, current, downgrade, revision), deploy, demo, add-user,
set-password, run, serve, worker, fire-timers, seed-history, rollups rebuild, attachments move."""
from __future__ import annotations

import logging
import sys

import click

from engine.errors import DeployError

from .attachment_commands import attachments
from .migrate_cli import db


def _app(config: str | None):  # type: ignore[no-untyped-def]
    """The app for one command: config class `config` (or $OPSFLOW_CONFIG), then the environment."""
    from config import ConfigError

    from . import create_app
    try:
        app = create_app(config)
    except ConfigError as exc:
        raise click.ClickException(f"configuration refused: {exc}") from None
    click.get_current_context().call_on_close(lambda: _dispose(app))
    return app


def _dispose(app) -> None:  # type: ignore[no-untyped-def]
    """Close the command's database connections when it ends."""
    from .extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@click.group()
@click.option("--config", "config", default=None, help="development, test or production "
              "(default: $OPSFLOW_CONFIG or development)")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """OpsFlow 运营中心流程平台."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)  # init-db logs the upgrade
    ctx.obj = {"config": config, "app": _app}  # "app": for the commands of other modules (opsflow db)


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Bring the schema to the head revision (the same as `opsflow db upgrade`)."""
    from .bootstrap import init_db as run
    run(_app(ctx.obj["config"]))
    click.echo("database ready")


@main.command()
@click.pass_context
def deploy(ctx: click.Context) -> None:
    """Deploy bpmn/ (new versions for changed models; unchanged ones are left alone)."""
    from .bootstrap import deploy_models, init_db
    app = _app(ctx.obj["config"])
    init_db(app)
    try:
        results = deploy_models(app, deployed_by="cli")
    except DeployError as exc:
        raise click.ClickException(f"deploy refused: {exc}") from None
    for r in results:
        click.echo(f"{r.key}: version {r.version}" + ("" if r.created else " (unchanged)"))


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Load the demo users, roles and stores into an empty database (demo mode only)."""
    from .bootstrap import init_db, load_demo
    app = _app(ctx.obj["config"])
    init_db(app)
    try:
        loaded = load_demo(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("demo data loaded" if loaded else "the database already has users; nothing loaded")


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin for scripts, else asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _refused(exc: Exception) -> click.ClickException:
    fields = getattr(exc, "fields", None) or {}
    detail = "; ".join(f"{field}: {reason}" for field, reason in fields.items())
    return click.ClickException(f"{getattr(exc, 'message', exc)}" + (f" ({detail})" if detail else ""))


@main.command("add-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, metavar="ROLE[:SCOPE]",
              help="a role, with the store or region it is scoped to: admin, store_manager:SH001, "
                   "store_supervisor:EAST (repeatable)")
@click.option("--display-name", default="", help="the name others see (default: the username)")
@click.option("--email", default="")
@click.option("--locale", default="zh_CN", show_default=True)
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.pass_context
def add_user(ctx: click.Context, username: str, roles: tuple[str, ...], display_name: str, email: str,
             locale: str, password_stdin: bool) -> None:
    """Create an account, e.g. the first administrator: opsflow add-user root --role admin"""
    from engine import directory
    from engine.errors import InvalidData

    from .admin.people_forms import directory_rules
    from .bootstrap import init_db
    from .extensions import db, engine
    app = _app(ctx.obj["config"])
    init_db(app)
    with app.app_context():
        rules = directory_rules()
        try:
            grants = [_grant(spec, rules.role_scopes) for spec in roles]
            row = directory.create_user_at_console(
                db.session, rules, username=username, password=_password(password_stdin),
                now=engine().clock(), display_name=display_name, email=email, locale=locale, roles=grants)
        except InvalidData as exc:
            db.session.rollback()
            raise _refused(exc) from None
        db.session.commit()
    held = ", ".join(":".join(p for p in (g.role, g.store_code or g.region) if p) for g in row.roles)
    click.echo(f"user {row.username} created" + (f" with {held}" if held else ""))


def _grant(spec: str, scopes: dict[str, str]):  # type: ignore[no-untyped-def]
    """`store_manager:SH001` as the Grant it means, scoped by what the catalogue says of the role."""
    from engine.access import Grant
    role, _, scope = spec.partition(":")
    kind = scopes.get(role)
    if kind == "store":
        return Grant(role, store_code=scope or None)
    if kind == "region":
        return Grant(role, region=scope or None)
    return Grant(role) if not scope else Grant(role, store_code=scope)


@main.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.pass_context
def set_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Give an account a new password (its API tokens stop working), e.g. when no admin can sign in."""
    from engine import directory
    from engine.errors import InvalidData, NotFound

    from .bootstrap import init_db
    from .extensions import db, engine
    app = _app(ctx.obj["config"])
    init_db(app)
    with app.app_context():
        try:
            directory.reset_password_at_console(db.session, username, _password(password_stdin),
                                                engine().clock())
        except (InvalidData, NotFound) as exc:
            db.session.rollback()
            raise _refused(exc) from None
        db.session.commit()
    click.echo(f"password of {username} changed")


@main.command("fire-timers")
@click.pass_context
def fire_timers(ctx: click.Context) -> None:
    """Fire every timer that is due now, once."""
    from engine.runtime import fire_due_timers

    from .background import sessions_of
    app = _app(ctx.obj["config"])
    fired = fire_due_timers(app.extensions["opsflow"], sessions_of(app),
                            limit=int(app.config.get("TIMER_BATCH", 200)), drain=True)
    click.echo(f"fired timers of {fired} case(s)")


@main.command("remind")
@click.pass_context
def remind(ctx: click.Context) -> None:
    """Tell people what is due now, once: new pool tasks, steps due soon or overdue, the daily digest."""
    from datetime import timedelta

    from sqlalchemy.orm import sessionmaker

    from engine.runtime import run_reminders

    from .extensions import db
    app = _app(ctx.obj["config"])
    with app.app_context():
        sessions = sessionmaker(bind=db.engine, expire_on_commit=False)
    told = run_reminders(app.extensions["opsflow"], sessions,
                         due_soon=timedelta(hours=float(app.config["DUE_SOON_HOURS"])),
                         digest_at=app.config["DIGEST_TIME"])
    click.echo(f"{told} notification(s) written")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def run(ctx: click.Context, host: str, port: int) -> None:
    """Prepare the database and serve the app, with the background runner (timers, outbox) inside."""
    from waitress import serve

    from .background import background_runner
    from .bootstrap import prepare
    from .serving import ready_to_serve
    app = _app(ctx.obj["config"])
    try:
        prepare(app)
    except DeployError as exc:
        raise click.ClickException(f"deploy refused: {exc}") from None
    ready_to_serve(app)
    runner = None
    if app.config.get("SCHEDULER_ENABLED"):
        runner = background_runner(app)
        runner.start()
    click.echo(f"OpsFlow serving on http://{host}:{port}/")
    try:
        serve(app, host=host, port=port, threads=8, ident="OpsFlow")
    finally:
        if runner:
            runner.stop()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(1, 256), default=None, envvar="OPSFLOW_WEB_WORKERS",
              help="app processes (default: cores × 2 + 1; $OPSFLOW_WEB_WORKERS)")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              envvar="OPSFLOW_WEB_THREADS", help="threads per process ($OPSFLOW_WEB_THREADS)")
@click.option("--timeout", type=click.IntRange(5, 600), default=30, show_default=True,
              help="seconds a request may take before its process is replaced")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None, threads: int, timeout: int) -> None:
    """Prepare the database, then serve the app in N processes under gunicorn with the production
    config (unless --config or $OPSFLOW_CONFIG says otherwise). Background work runs in `opsflow
    worker`, not here."""
    import os

    from .bootstrap import prepare
    from .serving import default_workers
    from .serving import serve as run_server
    config = ctx.obj["config"] or os.environ.get("OPSFLOW_CONFIG") or "production"
    app = _app(config)
    try:
        prepare(app)
    except DeployError as exc:
        raise click.ClickException(f"deploy refused: {exc}") from None
    _dispose(app)  # no connection crosses the fork
    count = workers or default_workers()
    click.echo(f"OpsFlow serving on http://{host}:{port}/ with {count} process(es) ({config} config)")
    run_server(config, host, port, count, threads, timeout)


@main.command()
@click.option("--once", is_flag=True, help="do every job once (due timers, the due outbox) and exit")
@click.option("--name", default=None, help="this worker's name in the outbox locks (default: host:pid)")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              envvar="OPSFLOW_WORKER_METRICS_PORT",
              help="serve this worker's Prometheus figures on 127.0.0.1:PORT (a host with no app process)")
@click.pass_context
def worker(ctx: click.Context, once: bool, name: str | None, metrics_port: int | None) -> None:
    """Run the background work (due timers, scheduled starts, reminders, connector calls, sending the
    outbox) in this process, until SIGTERM or Ctrl-C: the case, message or call in hand is finished,
    the rest of its batch given back, no new one taken, and the exit status is 0. Several workers
    may run at once on PostgreSQL: they take due timers in leased batches (SKIP LOCKED), and a dead
    worker's are taken by another after WORKER_LEASE_SECONDS."""
    import signal

    from . import runner_metrics
    from .background import background_runner
    from .bootstrap import init_db
    runner_metrics.prepare_folder()
    app = _app(ctx.obj["config"])
    init_db(app)
    runner = background_runner(app, name, at_once=True)
    if not app.config.get("SMTP_HOST"):
        click.echo("OPSFLOW_SMTP_HOST is not set: e-mails stay in the outbox", err=True)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        click.echo("SQLite: run one background runner only (this worker, or the one inside `opsflow run`); "
                   "several workers need PostgreSQL", err=True)
    if once:
        for job, done in runner.run_once().items():
            click.echo(f"{job}: {done or 'nothing to do'}")
        return

    def stop(signum: int, frame: object) -> None:
        click.echo(f"signal {signum}: finishing the current batch, then stopping", err=True)
        runner.request_stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if metrics_port:
        runner_metrics.serve_own(metrics_port)
    click.echo(f"OpsFlow worker running: {', '.join(j.name for j in runner.jobs)}")
    runner.run_forever()
    click.echo("OpsFlow worker stopped")


@main.command("seed-history")
@click.option("--cases", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="how many cases to write")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3650),
              help="spread them over this many days before now")
@click.option("--seed", default=7, show_default=True, type=int, help="random seed (same seed, same history)")
@click.pass_context
def seed_history(ctx: click.Context, cases: int, days: int, seed: int) -> None:
    """Write a made-up history of cases, tasks and events, for trying the dashboard (demo mode only)."""
    from engine import runtime
    from engine.errors import InvalidData
    from workflows import history_paths
    from workflows.history_seed import seed_history as write

    from .bootstrap import prepare
    from .extensions import db
    app = _app(ctx.obj["config"])
    if not app.config.get("DEMO_DATA"):
        raise click.ClickException("seed-history writes made-up cases; it only runs in demo mode "
                                   "(OPSFLOW_DEMO=1)")
    try:
        prepare(app)
    except DeployError as exc:
        raise click.ClickException(f"deploy refused: {exc}") from None
    engine = app.extensions["opsflow"]
    with app.app_context():
        try:
            summary = write(db.session, model=history_paths, cases=cases, now=engine.clock(), days=days,
                            seed=seed, catalogue=engine.catalogue)
        except InvalidData as exc:
            raise click.ClickException(exc.message) from None
        runtime.rebuild_rollups(db.session, engine.zone)  # the history was written behind the commands
        db.session.commit()
    click.echo(f"seeded {summary.cases} cases ({summary.running} still open), {summary.tasks} tasks "
               f"({summary.open_tasks} open), {summary.events} events")


@main.group()
def rollups() -> None:
    """The dashboard's rollups (counts and duration histograms per day, kept by the commands)."""


@rollups.command("rebuild")
@click.pass_context
def rebuild_rollups(ctx: click.Context) -> None:
    """Count every case and step again into the rollups: after an upgrade that adds them, after
    changing the business time zone, or after rows were written behind the commands' back."""
    import time

    from engine import runtime

    from .bootstrap import init_db
    from .extensions import db
    app = _app(ctx.obj["config"])
    init_db(app)
    engine = app.extensions["opsflow"]
    started = time.perf_counter()
    with app.app_context():
        cells = runtime.rebuild_rollups(db.session, engine.zone)
        db.session.commit()
    click.echo(f"rebuilt {cells} rollup cells in {time.perf_counter() - started:.1f} s "
               f"(days in {engine.zone})")


main.add_command(db)
main.add_command(attachments)
