"""Masking of personal data: pages and exports only ever show these forms. It lives beside the tables that
hold the data so that a model's masked properties and every page use the one rule."""
from __future__ import annotations


def mask_id_number(number: str | None) -> str:
    """110105********002X: region and last four digits only."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(mobile: str | None) -> str:
    """138****5678."""
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


def mask_name(name: str | None) -> str:
    """张*伟, 张*, J*** S****: keep the first and last character of Chinese names."""
    if not name:
        return ""
    name = name.strip()
    if name.isascii():
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
