"""What an employment requires (assignments) and what the person has done: lesson progress, attempts, completions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.content import Course, Lesson, QuestionVersion
from portal.models.people import Person, Trainee, User


class Assignment(Base):
    """A course an employment requires (its person must complete it), why (rule and legal basis) and by when.

    Any completion of the person satisfies it, wherever it was earned, except onboarding (see schedule)."""

    __tablename__ = "assignment"
    __table_args__ = (
        Index("ix_assignment_trainee_status", "trainee_id", "status"),
        Index("ix_assignment_status_due", "status", "due_on"),
        # at most one open assignment per employment and course, whatever runs at the same time
        Index("uq_assignment_open_course", "trainee_id", "course_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64), default="manual")
    reason: Mapped[str] = mapped_column(String(300), default="")
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    due_on: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|completed|closed
    overdue_since: Mapped[Optional[date]] = mapped_column(Date)
    valid_months: Mapped[Optional[int]] = mapped_column(Integer)  # how long the completion will stay valid
    closed_reason: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    trainee: Mapped[Trainee] = relationship()
    course: Mapped[Course] = relationship()


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("person_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)

    lesson: Mapped[Lesson] = relationship()


class Attempt(Base):
    """One sitting of a course's quiz; the draw and option order are stored so reloads match."""

    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_person_course", "person_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    practice: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | graded
    score: Mapped[Optional[float]] = mapped_column(Float)
    passed: Mapped[Optional[bool]] = mapped_column(Boolean)

    course: Mapped[Course] = relationship()
    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )


class AttemptGrant(Base):
    """One more quiz attempt for a person who used them all, granted by their company or the office."""

    __tablename__ = "attempt_grant"
    __table_args__ = (Index("ix_attempt_grant_person_course", "person_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptItem(Base):
    __tablename__ = "attempt_item"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    option_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Optional[list[str]]] = mapped_column(JSON)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    points: Mapped[Optional[float]] = mapped_column(Float)
    correct: Mapped[Optional[bool]] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()


class Completion(Base):
    """A course completed (online or at an offline session), valid until an optional date."""

    __tablename__ = "completion"
    __table_args__ = (Index("ix_completion_person_course", "person_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(10), default="online")  # online | offline | prior
    offline_session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("offline_session.id"))
    attempt_id: Mapped[Optional[int]] = mapped_column(ForeignKey("attempt.id"))
    score: Mapped[Optional[float]] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()
    course: Mapped[Course] = relationship()


class PriorTraining(Base):
    """Training done before or outside the portal (a paper record, a training institution), recorded by a company
    or the office with its evidence. While accepted it stands behind a Completion (mode 'prior') that counts
    like any other; it earns no portal certificate. The office may reject it: the completion goes, this stays."""

    __tablename__ = "prior_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(String(200))  # where the proof is: certificate number, file reference
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)  # who recorded
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="accepted")  # accepted | rejected
    completion_id: Mapped[Optional[int]] = mapped_column(ForeignKey("completion.id", ondelete="SET NULL"), index=True)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(String(300), default="")

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()
    recorded_by: Mapped[Optional["User"]] = relationship(foreign_keys=[recorded_by_id])
