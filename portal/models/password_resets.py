"""One-time codes that let a person set a new password without the old one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class PasswordResetCode(Base):
    """A reset code a company administrator or the office gave a person (domain/password_resets.py).

    Only its argon2 hash is kept. One per account (a new code replaces the old); the row goes when the code is
    used or the password changes, so a code works once. Who issued it is in the audit log."""

    __tablename__ = "password_reset_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
