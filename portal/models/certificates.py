"""Certificates issued for completions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.training import Completion


class Certificate(Base):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completion.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    # the employer when issued
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    completed_on: Mapped[date] = mapped_column(Date)
    credit_hours: Mapped[float] = mapped_column(default=0.0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid|revoked|replaced|superseded
    status_reason: Mapped[str] = mapped_column(String(300), default="")
    replaced_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("certificate.id"))

    completion: Mapped[Completion] = relationship()


class SerialCounter(Base):
    """The last certificate number given out per serial head ("SFQ-2026-": prefix and year).

    Issuing takes the next number with one UPDATE; its row lock, held until the transaction commits, keeps
    numbers unique and without gaps, and costs the same however many certificates there are."""

    __tablename__ = "serial_counter"

    head: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
