"""Preparing a database for use: schema, deployed models, demo data (in demo mode only)."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from engine.deploy import DeployResult, deploy_directory
from engine import schema
from engine.models import User

from .extensions import db


def init_db(app: Flask) -> None:
    with app.app_context():
        schema.create_all(db.engine)


def deploy_models(app: Flask, deployed_by: str | None = None) -> list[DeployResult]:
    from . import engine
    with app.app_context():
        results = deploy_directory(db.session, app.config["BPMN_DIR"], app.config["FORMS_DIR"],
                                   now=engine().clock(), deployed_by=deployed_by)
        db.session.commit()
        return results


def load_demo(app: Flask) -> bool:
    """Load the demo users and stores into an empty database; refuse outside demo mode."""
    if not app.config.get("DEMO_DATA"):
        raise RuntimeError("demo data is only loaded in demo mode (OPSFLOW_DEMO=1)")
    from workflows.demo_loader import load_demo_data
    from . import engine
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(User)):
            return False
        load_demo_data(db.session, engine().clock())
        db.session.commit()
        return True


def prepare(app: Flask) -> None:
    """What `opsflow run` does before serving: schema, models, and demo data for a new database."""
    init_db(app)
    if app.config.get("DEPLOY_ON_START", True):
        deploy_models(app, deployed_by="startup")
    if app.config.get("DEMO_DATA"):
        load_demo(app)
