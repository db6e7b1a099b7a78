"""The bytes of attachments kept in the database: numbered chunks of one file each, so that every app
process on the database serves every file and none is ever read or written whole (engine/attachments)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AttachmentChunk(Base):
    __tablename__ = "attachment_chunk"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="CASCADE"),
                                               primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, 2 …: the file is their concatenation
    data: Mapped[bytes] = mapped_column(LargeBinary)
