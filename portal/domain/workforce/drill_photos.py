"""Photos of drills: checked, stripped of every piece of metadata (EXIF with its GPS position, comments, colour
profiles), re-encoded as JPEG and stored under STORAGE_PATH/drills as <sha256>.jpg with a thumbnail beside it.

Only the decoded pixels leave an upload: whatever else a file carries (a script in a comment, a polyglot, the
phone's position) is never stored nor served. Pillow loads at the first photo, not in every worker at start."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.models import Drill, DrillPhoto

if TYPE_CHECKING:
    from PIL import Image

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 50_000_000  # decoding more would take the worker's memory (a "decompression bomb")
ALT_TEXT_LENGTH = 300


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 8 * 1024 * 1024
    per_drill: int = 12
    max_side: int = 2000
    thumb_side: int = 480
    quality: int = 85


def photo_folder(storage_path: str | Path) -> Path:
    return Path(storage_path) / "drills"


def photo_file(storage_path: str | Path, photo: DrillPhoto, *, thumb: bool = False) -> Path:
    """Where a stored photo (or its thumbnail) lives."""
    return photo_folder(storage_path) / (f"{photo.sha256}.thumb.jpg" if thumb else f"{photo.sha256}.jpg")


def read_limited(stream, max_bytes: int) -> bytes:
    """The upload's bytes; ValidationError when it holds more than `max_bytes` (read no further than that)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_l("The photo is larger than %(mb)s MB. Send a smaller one.",
                                 mb=f"{max_bytes / 1024 / 1024:g}"), "photo")
    if not data:
        raise ValidationError(_l("Choose a photo."), "photo")
    return data


def _decoded(data: bytes) -> Image.Image:
    """The image the bytes hold, fully decoded; ValidationError for anything that is not a JPEG, PNG or WebP."""
    from PIL import Image, UnidentifiedImageError

    refused = ValidationError(_l("This file is not a photo: send a JPEG, PNG or WebP image."), "photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_l("The photo has too many pixels. Send a smaller one."), "photo")
            probe.verify()  # checksums and structure; the image cannot be used after this
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise refused from None
    return image


def _jpeg(image: Image.Image, side: int, quality: int) -> bytes:
    """The pixels only, at most `side` pixels wide and high, as a JPEG with no metadata."""
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=quality, optimize=True)  # no exif=, icc_profile=: nothing but pixels
    return buffer.getvalue()


def reencode(data: bytes, limits: PhotoLimits = PhotoLimits()) -> tuple[bytes, bytes, tuple[int, int]]:
    """(photo JPEG, thumbnail JPEG, (width, height)) of an uploaded image: turned upright by its EXIF
    orientation, transparency on white, metadata dropped."""
    from PIL import Image, ImageOps

    image = _decoded(data)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    image.info.clear()
    full = _jpeg(image, limits.max_side, limits.quality)
    thumb = _jpeg(image, limits.thumb_side, limits.quality)
    with Image.open(io.BytesIO(full)) as stored:
        size = stored.size
    return full, thumb, size


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a reader on another node sees the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_photo(session: Session, drill: Drill, stream, *, alt_text: str, storage_path: str | Path,
              limits: PhotoLimits = PhotoLimits(), actor_id: int | None, address: str = "") -> DrillPhoto:
    """Check, re-encode and store one photo of a drill; audit-logged. ValidationError (field "photo" or
    "alt_text") for a file too big, not an image, one photo too many, or no description."""
    alt_text = " ".join((alt_text or "").split())
    if not alt_text:
        raise ValidationError(_l("Describe what the photo shows, for people who cannot see it."), "alt_text")
    if len(alt_text) > ALT_TEXT_LENGTH:
        raise ValidationError(_l("At most %(n)s characters.", n=ALT_TEXT_LENGTH), "alt_text")
    count = session.scalar(select(func.count()).select_from(DrillPhoto).where(DrillPhoto.drill_id == drill.id)) or 0
    if count >= limits.per_drill:
        raise ValidationError(_l("A drill keeps at most %(n)s photos.", n=limits.per_drill), "photo")
    full, thumb, (width, height) = reencode(read_limited(stream, limits.max_bytes), limits)
    digest = hashlib.sha256(full).hexdigest()
    if session.scalar(select(DrillPhoto.id).where(DrillPhoto.drill_id == drill.id, DrillPhoto.sha256 == digest)):
        raise ValidationError(_l("This photo is already on the drill."), "photo")
    photo = DrillPhoto(drill_id=drill.id, sha256=digest, width=width, height=height, size_bytes=len(full),
                       alt_text=alt_text, uploaded_by_id=actor_id)
    _write(photo_file(storage_path, photo), full)
    _write(photo_file(storage_path, photo, thumb=True), thumb)
    session.add(photo)
    session.flush()
    audit.record(session, actor_id=actor_id, action="drill.photo.add", target_type="drill", target_id=drill.id,
                 address=address, details={"sha256": digest[:12], "bytes": len(full)})
    return photo


def photos(session: Session, drill: Drill) -> list[DrillPhoto]:
    return list(session.scalars(select(DrillPhoto).where(DrillPhoto.drill_id == drill.id).order_by(DrillPhoto.id)))
