"""What companies keep and do: roster history, HR API tokens, idempotency, reminders, rule overrides."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.organizations import Organization


class EmploymentEvent(Base):
    """A hire, transfer or leave on the roster, kept as history."""

    __tablename__ = "employment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # hire | transfer | leave | update
    effective_on: Mapped[date] = mapped_column(Date)
    post: Mapped[str] = mapped_column(String(100), default="")
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(String(20), default="web")  # web | import | api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A token an organization's HR system uses; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()


class IdempotencyRecord(Base):
    """The stored answer to an API request with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(default=200)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderLog(Base):
    """One reminder or escalation sent, so each step is sent at most once."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("assignment_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))  # due-soon | overdue | escalate-1 | escalate-7 | escalate-30 | digest-YYYY-WW
    recipient: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonReminder(Base):
    """A reminder an administrator sent one person from the roster or the invitation page, by e-mail or on a
    printed sheet (logged when the sheet was made for them); shown on the person's page."""

    __tablename__ = "person_reminder"
    __table_args__ = (Index("ix_person_reminder_trainee_sent", "trainee_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | printed
    purpose: Mapped[str] = mapped_column(String(12))  # training (courses due) | register (no account yet)
    recipient: Mapped[str] = mapped_column(String(200), default="")  # the address that took the e-mail
    courses: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of the courses it named
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Optional["User"]] = relationship()  # noqa: F821 (portal.models.people)


class DigestLog(Base):
    """A weekly digest sent to a company."""

    __tablename__ = "digest_log"
    __table_args__ = (UniqueConstraint("organization_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    week: Mapped[str] = mapped_column(String(10))  # ISO year-week, 2026-W48
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleSet(Base):
    """The office's override of the repository's training rules (YAML text), newest wins."""

    __tablename__ = "rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(300), default="")
