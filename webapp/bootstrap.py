"""Preparing a database for use: schema, deployed models, demo data (in demo mode only)."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from engine import migrations, runtime
from engine.bpmn import DeployResult, deploy_directory
from engine.models import ProcessInstance, RollupCell, User

from .extensions import db

log = logging.getLogger(__name__)


def init_db(app: Flask) -> None:
    """Bring the schema to the head revision (an empty database gets every table; one made by
    `create_all` before migrations is taken as the baseline), after making the folder of a SQLite file
    (instance/ is not in the repository); count the cases of a database that has them into the
    dashboard's rollups when those are new (empty)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        before, after = migrations.upgrade(db.engine)
        if before != after:
            log.info("schema upgraded from %s to %s", before or "nothing", after)
        uncounted = (db.session.scalar(select(RollupCell.n).limit(1)) is None
                     and db.session.scalar(select(ProcessInstance.id).limit(1)) is not None)
        if uncounted:
            runtime.rebuild_rollups(db.session, app.extensions["opsflow"].zone)
        db.session.commit()


def deploy_models(app: Flask, deployed_by: str | None = None) -> list[DeployResult]:
    from .extensions import engine
    with app.app_context():
        try:
            results = deploy_directory(db.session, app.config["BPMN_DIR"], app.config["FORMS_DIR"],
                                       now=engine().clock(), deployed_by=deployed_by)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        return results


def load_demo(app: Flask) -> bool:
    """Load the demo users and stores into an empty database; refuse outside demo mode."""
    if not app.config.get("DEMO_DATA"):
        raise RuntimeError("demo data is only loaded in demo mode (OPSFLOW_DEMO=1)")
    from workflows.demo_loader import load_demo_data

    from .extensions import engine
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(User)):
            return False
        load_demo_data(db.session, engine().clock())
        db.session.commit()
        if app.config.get("DEMO_CASES"):
            from workflows.demo_cases import start_demo_cases
            start_demo_cases(engine(), db.session)
            db.session.commit()
        return True


def configure_robot(app: Flask) -> bool:
    """Create or update the operations center's group robot from OPSFLOW_WEBHOOK_URL (and _KIND,
    _SECRET); nothing when it is not set (robots are then kept on /admin/robots)."""
    url = app.config.get("WEBHOOK_URL")
    if not url:
        return False
    from engine.delivery import ensure_center_robot

    from .extensions import engine
    with app.app_context():
        try:
            ensure_center_robot(db.session, url, app.config["WEBHOOK_KIND"], app.config.get("WEBHOOK_SECRET"),
                                engine().clock())
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
    return True


def prepare(app: Flask) -> None:
    """What `opsflow run` does before serving: schema, models, demo data for a new database, and the
    operations center's robot from the environment."""
    init_db(app)
    if app.config.get("DEPLOY_ON_START", True):
        deploy_models(app, deployed_by="startup")
    if app.config.get("DEMO_DATA"):
        load_demo(app)
    configure_robot(app)
