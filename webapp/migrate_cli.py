"""`opsflow db`: the schema's migrations (upgrade, current, downgrade, revision) on the configured
database, for operators and for whoever adds a table."""
from __future__ import annotations

import click


@click.group()
def db() -> None:
    """The schema's migrations (Alembic revisions in engine/migrations/versions/)."""


def _sql_engine(ctx: click.Context):  # type: ignore[no-untyped-def]
    from .extensions import db as flask_db
    root = ctx.find_root().obj
    app = root["app"](root["config"])
    with app.app_context():
        return flask_db.engine


@db.command("upgrade")
@click.argument("target", default="head")
@click.pass_context
def db_upgrade(ctx: click.Context, target: str) -> None:
    """Upgrade to TARGET (default: head). A database without a version table is empty (it gets
    every table) or made by `create_all` before migrations (it is taken as the baseline, 0001)."""
    from engine import migrations
    before, after = migrations.upgrade(_sql_engine(ctx), target)
    click.echo(f"schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the database's revision and whether it is the head."""
    from engine import migrations
    with _sql_engine(ctx).connect() as connection:
        revision, state = migrations.current(connection), migrations.state(connection)
    click.echo(f"{revision or 'none'} ({'head' if state == 'ok' else state}; head is {migrations.head()})")


@db.command("downgrade")
@click.argument("target")
@click.pass_context
def db_downgrade(ctx: click.Context, target: str) -> None:
    """Downgrade to TARGET (a revision such as 0001, or -1). Dropped columns lose their data."""
    from engine import migrations
    before, after = migrations.downgrade(_sql_engine(ctx), target)
    click.echo(f"schema at {after or 'nothing'} (was {before})")


@db.command("revision")
@click.option("-m", "--message", required=True, help="what the revision changes, a few words")
@click.option("--empty", is_flag=True, help="write an empty script instead of comparing the models")
@click.pass_context
def db_revision(ctx: click.Context, message: str, empty: bool) -> None:
    """Write the next revision, its operations compared from the models against this database (which
    must be at head): review it before committing."""
    from engine import migrations
    sql_engine = None if empty else _sql_engine(ctx)
    path = migrations.revision(message, autogenerate=not empty, sql_engine=sql_engine)
    click.echo(f"wrote {path}")
