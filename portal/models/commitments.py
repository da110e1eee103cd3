"""Duty commitments (履职承诺): the texts the office keeps per role, and what each person signed."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.organizations import Organization
from portal.models.people import Person, Trainee


class CommitmentText(Base):
    """One version of the commitment a role signs, with its legal basis. Editing makes a new version (the one in
    use is `active`); what someone signed keeps pointing at the version they read."""

    __tablename__ = "commitment_text"
    __table_args__ = (UniqueConstraint("role", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(1000), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh

    def body(self, locale: str) -> str:
        return self.body_en if locale == "en" else self.body_zh


class Commitment(Base):
    """A commitment a person signed (the record is the person's), at one job: the employment and organization
    at signing, the text and version read, the name typed, when and from which device. It holds until the
    training that enabled it expires (`valid_until`, None: that training does not expire); renewed training
    means signing again."""

    __tablename__ = "commitment"
    __table_args__ = (Index("ix_commitment_person_role", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    trainee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trainee.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    text_id: Mapped[int] = mapped_column(ForeignKey("commitment_text.id"), index=True)
    text_version: Mapped[int] = mapped_column()
    typed_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    trainee: Mapped[Optional[Trainee]] = relationship()
    organization: Mapped[Optional[Organization]] = relationship()
    text: Mapped[CommitmentText] = relationship()

    @property
    def serial(self) -> str:
        """The number printed on the PDF copy: year signed and record number."""
        return f"CMT-{self.signed_at:%Y}-{self.id:06d}"
