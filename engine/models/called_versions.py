"""Which version of a shared sub-process a caller's version was deployed with.

A call activity may call a process of another file (发货 `ship_goods`, called by 调拨 and 订货); the
callee's files are deployed with the caller's version, and this row says which deployed version of
the callee those files were, so an administrator can tell what a caller's cases run on.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CalledVersion(Base):
    __tablename__ = "called_version"
    __table_args__ = (UniqueConstraint("caller_version_id", "callee_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id", ondelete="CASCADE"),
                                                   index=True)
    callee_key: Mapped[str] = mapped_column(String(64))
    callee_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
