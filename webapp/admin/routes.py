"""The admin landing page: what there is to administer, with counts."""
from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from engine.models import ProcessDefinition, Store, User

from . import bp
from ..extensions import db


@bp.get("/")
def index() -> Any:
    sizes = {
        "processes": db.session.scalar(select(func.count()).select_from(ProcessDefinition)),
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "stores": db.session.scalar(select(func.count()).select_from(Store)),
    }
    return render_template("admin/index.html", sizes=sizes)
