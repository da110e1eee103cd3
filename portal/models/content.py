"""Courses, lessons and questions loaded from the content files."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.people import KeyGroup, User

course_group = Table(
    "course_group",
    Base.metadata,
    Column("course_id", Integer, ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("key_group_id", Integer, ForeignKey("key_group.id", ondelete="CASCADE"), primary_key=True),
)


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the stable id in course.yaml
    slug: Mapped[str] = mapped_column(String(64))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(12))
    credit_hours: Mapped[float] = mapped_column(default=1.0)
    prerequisites: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    groups: Mapped[list[KeyGroup]] = relationship(secondary=course_group, lazy="selectin")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" else self.summary_zh


class Lesson(Base):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    html_zh: Mapped[str] = mapped_column(Text, default="")
    html_en: Mapped[str] = mapped_column(Text, default="")
    law_as_of: Mapped[Optional[date]] = mapped_column(Date)  # the newest law it was checked against
    last_reviewed: Mapped[Optional[date]] = mapped_column(Date)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    course: Mapped[Course] = relationship(back_populates="lessons")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" else self.summary_zh

    def html(self, locale: str) -> str:
        return self.html_en if locale == "en" else self.html_zh


class CourseMedia(Base):
    """A picture, video, audio or captions file a course's lessons show, as the last good sync found it.

    The bytes live here rather than only in the content folder so that they change in the sync's transaction:
    a sync that fails leaves the pages and the files they name as they were."""

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))  # the file's name beside the lessons
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Question(Base):
    """A question's identity; its text lives in immutable versions."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    current_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_version.id", use_alter=True)
    )
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    source_file: Mapped[str] = mapped_column(String(200), default="")
    # The digest of the question as its file said at the last sync ("" for a question the office created): the
    # sync lets the file win over the office's edit or retirement only when this changes (courses/README.md).
    file_hash: Mapped[str] = mapped_column(String(64), default="")
    office_set_retired: Mapped[bool] = mapped_column(Boolean, default=False)  # the office retired/reinstated it since

    current_version: Mapped[Optional["QuestionVersion"]] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    tags: Mapped[list["QuestionTag"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", lazy="selectin"
    )


class QuestionVersion(Base):
    """One exact wording of a question; attempts point here so edits never rewrite history."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    qtype: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int] = mapped_column(Integer, default=2)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(12), default="file")  # file (a sync) | office (edited or uploaded)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(foreign_keys=[question_id])
    created_by: Mapped[Optional["User"]] = relationship(foreign_keys=[created_by_id])


class QuestionTag(Base):
    __tablename__ = "question_tag"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)

    question: Mapped[Question] = relationship(back_populates="tags")
