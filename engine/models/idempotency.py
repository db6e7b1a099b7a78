"""The API's Idempotency-Key records: the first answer to a request a client may retry, kept in the
database so that a retry served by any app process gets that answer instead of running again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("owner", "key"),
                      Index("ix_idempotency_record_created_at", "created_at"))  # the worker's purge

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))  # SHA-256 of the credential the request came with
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    location: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime]
