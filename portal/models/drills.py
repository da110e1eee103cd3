"""Fire drills (消防演练): a company plans and records them, with who took part, follow-up actions and photos."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.organizations import Organization

DRILL_KINDS = ("evacuation", "extinguisher", "micro_station", "tabletop")
DRILL_STATUSES = ("planned", "held")


class Drill(Base):
    """One drill of an organization: planned for a day, then recorded as held on a day (often the same)."""

    __tablename__ = "drill"
    __table_args__ = (Index("ix_drill_organization_id_held_on", "organization_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="planned")  # planned | held
    kind: Mapped[str] = mapped_column(String(20))  # DRILL_KINDS
    planned_on: Mapped[Optional[date]] = mapped_column(Date)
    held_on: Mapped[Optional[date]] = mapped_column(Date)
    scenario: Mapped[str] = mapped_column(String(500), default="")
    places: Mapped[str] = mapped_column(String(300), default="")
    duration_minutes: Mapped[Optional[int]] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")  # what happened and what was found
    sign_in_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()

    @property
    def day(self) -> date | None:
        """The day that matters: when it was held, else when it is planned."""
        return self.held_on or self.planned_on


class DrillParticipant(Base):
    """A person who took part, picked from the roster or signed in with the drill's QR code."""

    __tablename__ = "drill_participant"
    __table_args__ = (UniqueConstraint("drill_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trainee.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(10), default="roster")  # roster | qr
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DrillAction(Base):
    """A follow-up action (整改事项) found in a drill: what, who owns it, by when, and when it was done."""

    __tablename__ = "drill_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    owner_trainee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trainee.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[Optional[date]] = mapped_column(Date)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    drill: Mapped[Drill] = relationship()


class DrillPhoto(Base):
    """A photo of a drill, re-encoded as JPEG without metadata and stored as STORAGE_PATH/drills/<sha256>.jpg."""

    __tablename__ = "drill_photo"
    __table_args__ = (UniqueConstraint("drill_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the stored JPEG, its file name
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size_bytes: Mapped[int] = mapped_column()
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
