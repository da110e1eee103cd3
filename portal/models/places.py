"""Localities: district > street/township > community/village > grid."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base

LOCALITY_LEVELS = ("district", "street", "community", "grid")


class Locality(Base):
    __tablename__ = "locality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("locality.id"), index=True)

    parent: Mapped[Optional["Locality"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Locality"]] = relationship(back_populates="parent")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh
