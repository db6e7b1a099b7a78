"""The administrators' working set of a process (草稿): files changed in the modeler, the form editor
and the decision editor since version `base_version`, kept until they are published together as one
new version or discarded. One draft per process, shared by every administrator: a file's row says who
changed it last and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ModelDraftFile(Base):
    __tablename__ = "model_draft_file"
    __table_args__ = (UniqueConstraint("process_key", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64))
    #: the version the draft was started from (the same on every row of one process's draft)
    base_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # bpmn, dmn, form
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime]
