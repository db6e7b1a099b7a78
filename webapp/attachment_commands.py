"""`opsflow attachments move --to database|folder`: the command that moves every kept file between
the database and the upload folder when an installation changes ATTACHMENT_STORAGE."""
from __future__ import annotations

import sys

import click

from engine.attachments import STORAGES


@click.group()
def attachments() -> None:
    """Where attachments' bytes are kept (ATTACHMENT_STORAGE: database or folder)."""


@attachments.command("move")
@click.option("--to", "to", type=click.Choice(STORAGES), required=True,
              help="the storage every file goes to")
@click.pass_context
def move(ctx: click.Context, to: str) -> None:
    """Move every file kept elsewhere to storage TO, one file per transaction, each checked against its
    size and SHA-256 first. Safe to stop and run again; the app may keep serving meanwhile. Then set
    OPSFLOW_ATTACHMENT_STORAGE to TO, so new files go there too."""
    from engine.attachments import move_attachments
    from engine.db import make_sessions

    from .bootstrap import init_db
    from .extensions import db
    app = ctx.obj["app"](ctx.obj["config"])
    init_db(app)
    with app.app_context():
        report = move_attachments(make_sessions(db.engine), app.config["UPLOAD_DIR"], to)
    click.echo(f"moved {report.moved}, already in the {to} {report.already}, missing {report.missing}, "
               f"damaged {report.damaged}, deleted meanwhile {report.gone}")
    if report.missing or report.damaged:
        click.echo("missing or damaged files stay where they are; their rows name them", err=True)
        sys.exit(1)
    if app.config.get("ATTACHMENT_STORAGE") != to:
        click.echo(f"set OPSFLOW_ATTACHMENT_STORAGE={to} so that new files are kept there too", err=True)
