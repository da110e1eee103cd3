"""A picture's width and height read from its own bytes, so a lesson's <img> reserves its space before it loads.

Only the formats lessons may use (SVG, PNG, JPEG, GIF, WebP); no imaging library is needed for that.
"""
from __future__ import annotations

import re
import struct

_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_LENGTH = r'\s{0}\s*=\s*["\']\s*([0-9.]+)\s*(?:px)?\s*["\']'
_SVG_VIEWBOX = re.compile(r'\sviewBox\s*=\s*["\']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["\']')
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(data: bytes, suffix: str) -> tuple[int, int] | None:
    """(width, height) in CSS pixels, or None when the bytes are not a readable picture of that kind."""
    reader = _READERS.get(suffix.lower())
    try:
        size = reader(data) if reader else None
    except (struct.error, ValueError, IndexError):
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return size


def _svg(data: bytes) -> tuple[int, int] | None:
    match = _SVG_TAG.search(data)
    if match is None:
        return None
    tag = match.group(0).decode("utf-8", "replace")
    width = re.search(_SVG_LENGTH.format("width"), tag)
    height = re.search(_SVG_LENGTH.format("height"), tag)
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = _SVG_VIEWBOX.search(tag)
    return (round(float(box.group(1))), round(float(box.group(2)))) if box else None


def _png(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _gif(data: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", data[6:10]) if data[:6] in (b"GIF87a", b"GIF89a") else None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[offset + 5:offset + 9])
            return width, height
        offset += 2 + struct.unpack(">H", data[offset + 2:offset + 4])[0]
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


_READERS = {".svg": _svg, ".png": _png, ".gif": _gif, ".jpg": _jpeg, ".jpeg": _jpeg, ".webp": _webp}
