"""Targets of the plan and offline classroom sessions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, Float, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.content import Course


class Target(Base):
    """The target population of a key group in a locality, with a deadline and a target rate.

    declared_count counts people without rosters (e.g. grid workers of a street); people on rosters
    are counted from the rosters themselves.
    """

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("key_group_id", "locality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_group_id: Mapped[int] = mapped_column(ForeignKey("key_group.id"), index=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("locality.id"), index=True)
    declared_count: Mapped[int] = mapped_column(default=0)
    deadline: Mapped[date] = mapped_column(Date)
    target_rate: Mapped[float] = mapped_column(Float, default=1.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OfflineSession(Base):
    """A classroom session recorded by the office or a company; attendance creates completions."""

    __tablename__ = "offline_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    trainer: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    # class hours (学时) the session gave; None only for sessions recorded before it was asked (the course's hours)
    hours: Mapped[Optional[float]] = mapped_column(Float)
    sign_in_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class OfflineAttendance(Base):
    __tablename__ = "offline_attendance"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("offline_session.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10), default="roster")  # roster | qr
    # class hours this attendee earned: the session's, or fewer (left early); what their certificate states
    hours: Mapped[Optional[float]] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FinalReport(Base):
    """A yearly report the office marked final: the PDF as it was sent to the district government, with its
    SHA-256, downloaded unchanged from then on whatever the rosters say later."""

    __tablename__ = "final_report"
    __table_args__ = (UniqueConstraint("year", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    locale: Mapped[str] = mapped_column(String(8))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    finalized_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    finalized_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
