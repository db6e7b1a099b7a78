"""Away periods (代理): while a person is away, a named deputy takes the work that would be theirs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AwayPeriod(Base):
    """One person's away period and deputy; a person has at most one (setting it again replaces it).
    The period holds from `starts_at` (inclusive) to `ends_at` (exclusive)."""

    __tablename__ = "away_period"
    __table_args__ = (Index("ix_away_deputy", "deputy_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    set_at: Mapped[datetime]
