"""The processes a person may start, for the start page and the API's process list."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.loading import ProcessCatalogue
from engine.bpmn.retirement import retired_refusal
from engine.errors import NotFound
from engine.models import ProcessDefinition, User
from engine.views import ProcessView, StartableProcess


def startable_processes(engine: ProcessCatalogue, session: Session, user: User) -> list[ProcessView]:
    """The deployed processes `user` may start, by key, each at the version a start would use."""
    rows = session.scalars(select(ProcessDefinition).where(ProcessDefinition.latest_version > 0,
                                                           ProcessDefinition.retired_at.is_(None))
                           .order_by(ProcessDefinition.key)).all()
    return [ProcessView(key=d.key, name=d.name, version=d.latest_version) for d in rows
            if engine.may_start(session, user, d.key)]


def startable_process(engine: ProcessCatalogue, session: Session, user: User,
                      process_key: str) -> StartableProcess:
    """The process `user` may start under `process_key`, at the version a start would use, with its
    start form; a model without one takes any object. A process the user may not start is as
    unknown as one never deployed."""
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == process_key,
                                                                ProcessDefinition.latest_version > 0))
    if definition is None or not engine.may_start(session, user, process_key):
        raise NotFound(f"no process {process_key!r} that you may start")
    if definition.retired_at is not None:
        raise retired_refusal(process_key)
    form = engine.process(session, engine.latest_version(session, process_key).id).start_form()
    return StartableProcess(key=definition.key, name=definition.name, version=definition.latest_version,
                            start_form=form or {"type": "object"})
