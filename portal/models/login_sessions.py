"""Sessions kept on the server: a signed-in browser is one row, so logging out or a new password ends it."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class LoginSession(Base):
    """One signed-in browser or device (domain/login_sessions.py).

    The browser holds a random token in its session cookie (and its remember-me cookie); only the token's SHA-256
    is kept here. A session is live until `ended_at` is set (logout, a new password, the office ending it) or it
    has been idle or alive longer than the configured lifetimes."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_because: Mapped[Optional[str]] = mapped_column(String(16))  # login_sessions.END_REASONS
    device: Mapped[str] = mapped_column(String(120), default="")  # "Chrome on Android", from the User-Agent
    address: Mapped[str] = mapped_column(String(45), default="")
