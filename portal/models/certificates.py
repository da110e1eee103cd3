"""Certificates issued for completions, the status lists that say which are no longer valid, and the signed
credentials served for them."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.training import Completion


def new_identity_salt() -> str:
    """A secret salt for one certificate's name hash: 128 random bits, base64url (22 characters)."""
    return secrets.token_urlsafe(16)


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index",
                                       name="uq_certificate_status_list_id_status_index"),)

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
    # Salts sha256(name + salt) in the holder's own credential and the QR code; never on a public page.
    identity_salt: Mapped[str] = mapped_column(String(32), default=new_identity_salt)
    # Its place in a status list, given when its first signed credential is made.
    status_list_id: Mapped[Optional[int]] = mapped_column(ForeignKey("status_list.id"))
    status_index: Mapped[Optional[int]] = mapped_column(Integer)

    completion: Mapped[Completion] = relationship()


class SerialCounter(Base):
    """The last certificate number given out per serial head ("SFQ-2026-": prefix and year).

    Issuing takes the next number with one UPDATE; its row lock, held until the transaction commits, keeps
    numbers unique and without gaps, and costs the same however many certificates there are."""

    __tablename__ = "serial_counter"

    head: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class StatusList(Base):
    """A W3C Bitstring Status List of `size` entries (purpose revocation): a set bit means the certificate at
    that index is no longer valid. Positions are handed out in order and mapped to indexes by
    (multiplier * position + offset) mod size, so an index does not tell when it was given.

    `version` goes up with every change (under the row's lock); the signed list credential in `document` was
    made for `signed_version` and is made again when that falls behind."""

    __tablename__ = "status_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), default="revocation")
    size: Mapped[int] = mapped_column(Integer)
    multiplier: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[Optional[str]] = mapped_column(Text)
    signed_version: Mapped[Optional[int]] = mapped_column(Integer)


class SignedCredential(Base):
    """A certificate's Open Badges credential, signed once and served byte for byte ever after: `public`
    (the verification page's JSON) or `holder` (the holder's own copy, with the salted name hash)."""

    __tablename__ = "signed_credential"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(8), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
