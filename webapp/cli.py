"""The `opsflow` command: init-db, deploy, demo, run, fire-timers."""
from __future__ import annotations

import logging

import click

from engine.errors import DeployError


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
    ctx.obj = {"config": config}


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Create the tables (existing ones are kept)."""
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


@main.command("fire-timers")
@click.pass_context
def fire_timers(ctx: click.Context) -> None:
    """Fire every timer that is due now, once."""
    from engine.timers import fire_due_timers
    app = _app(ctx.obj["config"])
    fired = fire_due_timers(app.extensions["opsflow"], _sessions(app))
    click.echo(f"fired timers of {fired} case(s)")


def _sessions(app):  # type: ignore[no-untyped-def]
    """A session factory outside any request, for the scheduler and one-off commands."""
    from sqlalchemy.orm import sessionmaker
    from .extensions import db
    with app.app_context():
        return sessionmaker(bind=db.engine, expire_on_commit=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def run(ctx: click.Context, host: str, port: int) -> None:
    """Prepare the database and serve the app, with the timer scheduler inside."""
    from waitress import serve
    from engine.timers import TimerScheduler
    from .bootstrap import prepare
    app = _app(ctx.obj["config"])
    try:
        prepare(app)
    except DeployError as exc:
        raise click.ClickException(f"deploy refused: {exc}") from None
    scheduler = None
    if app.config.get("SCHEDULER_ENABLED"):
        scheduler = TimerScheduler(app.extensions["opsflow"], _sessions(app),
                                   app.config["SCHEDULER_INTERVAL_SECONDS"])
        scheduler.start()
    click.echo(f"OpsFlow serving on http://{host}:{port}/")
    try:
        serve(app, host=host, port=port, threads=8, ident="OpsFlow")
    finally:
        if scheduler:
            scheduler.stop()


@main.command("seed-history")
@click.option("--cases", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="how many cases to write")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3650),
              help="spread them over this many days before now")
@click.option("--seed", default=7, show_default=True, type=int, help="random seed (same seed, same history)")
@click.pass_context
def seed_history(ctx: click.Context, cases: int, days: int, seed: int) -> None:
    """Write a made-up history of cases, tasks and events, for trying the dashboard (demo mode only)."""
    from engine.errors import InvalidData
    from engine.history_seed import seed_history as write
    from workflows import history_paths
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
        db.session.commit()
    click.echo(f"seeded {summary.cases} cases ({summary.running} still open), {summary.tasks} tasks "
               f"({summary.open_tasks} open), {summary.events} events")
