"""Organizations (units) and the industry sectors responsible for them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.places import Locality

ORGANIZATION_KINDS = ("key_unit", "public_gathering", "general")


class Sector(Base):
    """An industry department (education, health, commerce...) that oversees organizations."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("locality.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    last_drill_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sector: Mapped[Sector] = relationship()
    locality: Mapped[Locality] = relationship()


class Post(Base):
    """A post (岗位) of the district's catalogue: its name, the other names companies use for it, and the
    courses someone must hold before working in it. Kept by the training office; a company may name a new
    post (from its roster form or import), which waits for the office's review with no courses of its own."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    courses: Mapped[list[str]] = mapped_column(JSON, default=list)  # course codes required before the post
    basis: Mapped[str] = mapped_column(String(300), default="")  # the legal basis of those courses
    reviewed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: a company named it, the office has not
    added_by_organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    added_by_organization: Mapped[Optional[Organization]] = relationship()
