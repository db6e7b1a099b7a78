"""Deployed process models: a process, its versions, and the exact files of each version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class ProcessDefinition(Base):
    __tablename__ = "process_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    # Retired: no new cases (by hand, API or schedule); running cases go on. Null while in service.
    retired_at: Mapped[datetime | None]
    retired_by: Mapped[str | None] = mapped_column(String(64))

    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="definition", order_by="ProcessVersion.version")


class ProcessVersion(Base):
    """One deployment of a process: the exact files it was parsed from, stored once."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("definition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    version: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(64))

    definition: Mapped[ProcessDefinition] = relationship(back_populates="versions")
    files: Mapped[list[ModelFile]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ModelFile.filename")


class ModelFile(Base):
    __tablename__ = "model_file"
    __table_args__ = (UniqueConstraint("version_id", "kind", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn, dmn, form
    filename: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    version: Mapped[ProcessVersion] = relationship(back_populates="files")
