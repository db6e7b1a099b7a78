"""What the administrators' migration page offers for a mapping: for each element that keeps cases
from moving, the target version's elements of the same kind."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.access.admin import require_admin
from engine.bpmn.loading import ProcessCatalogue
from engine.bpmn.retarget import mapping_choices, migration_versions
from engine.models import User


def migration_choices(engine: ProcessCatalogue, session: Session, user: User, process_key: str,
                      from_version: Any, to_version: Any, element_ids: list[str]
                      ) -> dict[str, list[tuple[str, str]]]:
    """Old element id → [(new element id, name)] of `to_version`, for the elements named."""
    require_admin(user)
    source, target = migration_versions(session, process_key, from_version, to_version)
    return mapping_choices(engine.process(session, source.id), engine.process(session, target.id),
                           element_ids)
