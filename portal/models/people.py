"""Accounts, roles, trainee profiles and key groups."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.organizations import Organization, Sector
from portal.models.places import Locality

ROLES = ("trainee", "org_admin", "dept_viewer", "office_admin", "superuser")

trainee_group = Table(
    "trainee_group",
    Base.metadata,
    Column("trainee_id", Integer, ForeignKey("trainee.id", ondelete="CASCADE"), primary_key=True),
    Column("key_group_id", Integer, ForeignKey("key_group.id", ondelete="CASCADE"), primary_key=True),
)


class KeyGroup(Base):
    """A key group of the plan (重点人群); the office can add more."""

    __tablename__ = "key_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[Optional[str]] = mapped_column(String(50), unique=True)
    mobile: Mapped[Optional[str]] = mapped_column(String(11), unique=True)
    email: Mapped[Optional[str]] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    trainee: Mapped[Optional["Trainee"]] = relationship(back_populates="user", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def roles(self) -> set[str]:
        names = {grant.role for grant in self.grants}
        if self.trainee is not None:
            names.add("trainee")
        return names

    def has_role(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))

    @property
    def login_name(self) -> str:
        return self.username or self.mobile or str(self.id)


# Logging in looks the user name up case-insensitively (accounts.find_user): without this, every login
# read every account.
Index("ix_user_account_lower_username", func.lower(User.username))


class RoleGrant(Base):
    """A role held by a user, with its scope: an organization (org_admin) or a sector (dept_viewer)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "organization_id", "sector_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    sector_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sector.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    organization: Mapped[Optional[Organization]] = relationship()
    sector: Mapped[Optional[Sector]] = relationship()


class Trainee(Base):
    """A person to be trained: a roster row, linked to a user once they register."""

    __tablename__ = "trainee"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), unique=True)
    real_name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    id_number: Mapped[Optional[str]] = mapped_column(String(18))
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    locality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locality.id"), index=True)
    post: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | left
    start_date: Mapped[Optional[date]] = mapped_column(Date)
    left_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[Optional[User]] = relationship(back_populates="trainee")
    organization: Mapped[Optional[Organization]] = relationship()
    locality: Mapped[Optional[Locality]] = relationship()
    groups: Mapped[list[KeyGroup]] = relationship(secondary=trainee_group, lazy="selectin")

    @property
    def masked_id_number(self) -> str:
        from portal.domain.privacy import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        from portal.domain.privacy import mask_mobile

        return mask_mobile(self.mobile)
