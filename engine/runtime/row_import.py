"""Filling a list of a step's form from a count sheet, an Excel workbook or CSV (a stocktake's): the
rows become the person's draft, which they check on the task page and complete as usual, so the file
is never the submission itself and the form's checks all still apply."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import can_act
from engine.errors import InvalidData, PermissionDenied
from engine.forms import rows_from_file
from engine.models import User

from .engine import Engine


def import_rows(engine: Engine, session: Session, user: User, task_id: int, field: str,
                content: bytes, filename: str = "") -> int:
    """Put the file's rows in list `field` of the task's draft (the rest of the draft is kept);
    how many rows. The file's name tells a workbook (`.xlsx`) when its bytes do not. Who may save a
    draft may import; InvalidData names what cannot be read."""
    task, case, _ = engine.open_task(session, task_id)
    if not can_act(user, task) or task.assignee_id not in (None, user.id):
        raise PermissionDenied(f"{user.username} may not work on task {task_id}")
    schema = engine.process(session, case.version_id).form_for(task.element_id)
    if schema is None:
        raise InvalidData(f"{field} cannot be filled from a file", {"field": "invalid"})
    rows = rows_from_file(schema, field, content, filename)
    engine.save_draft(session, task_id, user, {**(task.draft or {}), field: rows})
    return len(rows)
