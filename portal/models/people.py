"""Accounts and roles; persons and their employments (roster rows); key groups; claims and conflicts."""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Optional

from flask_login import UserMixin
from sqlalchemy import (JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint, func,
                        text)
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


# The plan's key groups (重点人群) every installation starts with: code, Chinese name, English name.
KEY_GROUPS = (
    ("all_staff", "全体员工", "All staff"),
    ("responsible_person", "单位消防安全责任人", "Fire-safety responsible persons"),
    ("safety_manager", "消防安全管理人", "Fire-safety managers"),
    ("community_police", "社区民警", "Community police"),
    ("committee_staff", "村(居)委会工作人员", "Village and residents' committee staff"),
    ("grid_worker", "网格员", "Grid workers"),
    ("security_staff", "安保人员/微型消防站队员", "Security staff and micro fire station members"),
    ("property_staff", "物业等管理单位人员", "Property management staff"),
    ("key_unit_staff", "重点单位员工", "Employees of key units"),
    ("small_business_owner", "小企业主/个体经营者", "Small business owners"),
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
    """An account: a person's own login (trainees), or a company's, department's or the office's staff."""

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
    person: Mapped[Optional["Person"]] = relationship(back_populates="user", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def password_stamp(self) -> str:
        """Changes whenever the password changes: sessions and reset links carry it, so a new password ends them."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    # The token of the signed-in session this object was loaded for (web/session.py): what Flask-Login keeps in the
    # session and the remember-me cookie. Not a column: the table keeps only its hash (LoginSession).
    session_token = None

    def get_id(self) -> str:
        return self.session_token or ""

    def __eq__(self, other) -> bool:  # UserMixin compares get_id(), which differs between sessions of one account
        return isinstance(other, User) and other.id == self.id

    __hash__ = object.__hash__

    @property
    def trainee(self) -> Optional["Trainee"]:
        """The employment the trainee pages start from: see Person.current_employment."""
        return self.person.current_employment if self.person is not None else None

    @property
    def roles(self) -> set[str]:
        names = {grant.role for grant in self.grants}
        if self.person is not None and self.person.employments:
            names.add("trainee")
        return names

    def has_role(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))

    @property
    def login_name(self) -> str:
        """How pages, exports and the audit log name the account: its user name, else its mobile masked
        (138****5678), as every page masks mobiles."""
        from portal.models.privacy import mask_mobile

        return self.username or mask_mobile(self.mobile) or str(self.id)


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


class Person(Base):
    """One human, whatever organizations they work for: name, resident ID number (unique when known),
    mobile, and their account once they register. Training records (completions, attempts, lesson progress,
    classroom attendance, certificates) belong to the person, so they follow them from job to job."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    real_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[Optional[str]] = mapped_column(String(18), unique=True)  # canonical_id_number()
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[Optional[User]] = relationship(back_populates="person")
    employments: Mapped[list["Trainee"]] = relationship(
        back_populates="person", lazy="selectin", order_by="Trainee.id")

    @property
    def current_employment(self) -> Optional["Trainee"]:
        """The employment that places the person (see Trainee.counts_in_area): an active job with an employer
        counted in the area figures, else any active one, else the latest."""
        def rank(job: "Trainee"):
            return (job.status == "active", job.organization_id is not None, not job.second_job, job.id)
        return max(self.employments, key=rank, default=None)

    @property
    def masked_id_number(self) -> str:
        from portal.models.privacy import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        from portal.models.privacy import mask_mobile

        return mask_mobile(self.mobile)


class _PersonField:
    """A roster row's shortcut to its person's field, for reading (`row.real_name`). In a query, name the
    person's column: `Trainee.real_name` raises instead of quietly comparing a Python object."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, row, owner):
        if row is None:
            raise AttributeError(f"Trainee.{self.name} belongs to the person: use Person.{self.name} in queries")
        return getattr(row.person, self.name)

    def __set__(self, row, value):
        raise AttributeError(f"Trainee.{self.name} belongs to the person: set row.person.{self.name}")


class Trainee(Base):
    """One employment of a person: a row of an organization's roster (post, key groups, start, end, status).

    A person who moves to another employer gets a new row there and keeps their records; a person without
    an employer who registered with the office's public code has one row without an organization. The
    person's name, mobile and ID number are read through `person` (the properties below are shortcuts).
    """

    __tablename__ = "trainee"
    __table_args__ = (Index("ix_trainee_organization_person", "organization_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organization_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    locality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locality.id"), index=True)
    post: Mapped[str] = mapped_column(String(100), default="")
    # The employer's own unit (安保部, 工程部...): how its HR clerk finds people; no rule depends on it.
    department: Mapped[str] = mapped_column(String(100), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | left | pending (a move, see claims)
    # A job held beside another (a part-time guard at a second site, where the office allows it): its company's
    # standing figures count it, but coverage counts the person once, at their other job; when that one ends,
    # this one takes its place (people.promote_second_job).
    second_job: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[Optional[date]] = mapped_column(Date)
    left_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="employments", lazy="joined", innerjoin=True)
    organization: Mapped[Optional[Organization]] = relationship()
    locality: Mapped[Optional[Locality]] = relationship()
    groups: Mapped[list[KeyGroup]] = relationship(secondary=trainee_group, lazy="selectin")

    real_name = _PersonField("real_name")
    mobile = _PersonField("mobile")
    id_number = _PersonField("id_number")
    user = _PersonField("user")
    masked_id_number = _PersonField("masked_id_number")
    masked_mobile = _PersonField("masked_mobile")


class IdentityConflict(Base):
    """Something the office must look at about one person: two names for one ID number when rosters were
    merged, two accounts for one person. Nothing is lost meanwhile; the note says what was kept."""

    __tablename__ = "identity_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # names | accounts
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    person: Mapped[Person] = relationship()


class RosterClaim(Base):
    """An account and a roster row that may be the same person, waiting for the side that must agree.

    `by_person`: someone registered with the employer's code and a mobile on its roster that has no ID
    number to prove it; the employer confirms. `by_employer`: an employer added a mobile that belongs to an
    account; the account's owner confirms. Confirming joins the two into one person; refusing keeps them apart.
    """

    __tablename__ = "roster_claim"
    __table_args__ = (
        Index("uq_roster_claim_pending", "trainee_id", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(12))  # by_person | by_employer
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | confirmed | refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    trainee: Mapped[Trainee] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
