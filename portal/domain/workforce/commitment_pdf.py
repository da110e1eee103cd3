"""The PDF copy of a signed duty commitment (A4 portrait): the text and its basis as signed, who signed it for which
organization and role, when (local time), from which device, and a serial. The certificates' CJK font is embedded,
so the text extracts and reads the same everywhere."""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from portal.domain.platform.pdf_fonts import INK, MUTED, RED, register_font
from portal.domain.workforce.commitments import role_label
from portal.domain.platform.localtime import format_datetime, zone
from portal.models import Commitment


@dataclass(frozen=True)
class CommitmentPdfSettings:
    font_path: str
    office_name: str

    @classmethod
    def from_config(cls, config, locale: str) -> "CommitmentPdfSettings":
        name = config["CERT_OFFICE_NAME_EN" if locale == "en" else "CERT_OFFICE_NAME_ZH"]
        return cls(font_path=str(config["CERT_FONT_PATH"]), office_name=str(name))


class _Page:
    """Writes wrapped lines down an A4 page, starting a new page when one is full."""

    def __init__(self, canvas: Canvas, font: str):
        self.canvas, self.font = canvas, font
        self.width, self.height = A4
        self.left, self.right = 22 * mm, self.width - 22 * mm
        self.y = self.height - 25 * mm

    def lines(self, text: str, size: float, *, color=INK, gap: float = 1.5, center: bool = False) -> None:
        self.canvas.setFillColor(color)
        for paragraph in text.splitlines() or [""]:
            for line in simpleSplit(paragraph, self.font, size, self.right - self.left) or [""]:
                if self.y < 22 * mm:
                    self.canvas.showPage()
                    self.y = self.height - 25 * mm
                self.canvas.setFont(self.font, size)
                self.canvas.setFillColor(color)
                if center:
                    self.canvas.drawCentredString(self.width / 2, self.y, line)
                else:
                    self.canvas.drawString(self.left, self.y, line)
                self.y -= size * gap
        self.y -= size * 0.5


def render_commitment(commitment: Commitment, settings: CommitmentPdfSettings, *, locale: str) -> bytes:
    """The commitment as PDF bytes, in the reader's language (labels; the text in that language as signed)."""
    font = register_font(settings.font_path)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    text = commitment.text
    canvas.setTitle(f"{text.title(locale)} {commitment.serial}")
    canvas.setAuthor(settings.office_name)
    canvas.setCreator("Fire Safety Training Portal")
    page = _Page(canvas, font)
    page.lines(text.title(locale), 18, color=RED, center=True)
    page.lines(_("No. %(serial)s · text version %(version)s", serial=commitment.serial,
                 version=commitment.text_version), 9, color=MUTED, center=True)
    page.y -= 4 * mm
    page.lines(text.body(locale), 11.5, gap=1.6)
    page.lines(_("Legal basis: %(basis)s", basis=text.basis), 9, color=MUTED)
    page.y -= 4 * mm
    signed = format_datetime(commitment.signed_at, seconds=True)
    facts = [
        (_("Signed by (name typed)"), commitment.typed_name),
        (_("Organization"), commitment.organization.name if commitment.organization else "—"),
        (_("Role"), role_label(commitment.role)),
        (_("Signed at"), f"{signed} ({zone().key})"),
        (_("Holds until"), commitment.valid_until.isoformat() if commitment.valid_until
         else _("while the training lasts")),
        (_("Device"), commitment.user_agent or "—"),
    ]
    for label, value in facts:
        page.lines(f"{label}: {value}", 10.5, gap=1.5)
    page.y -= 2 * mm
    page.lines(_("Signed in the portal by ticking the confirmation and typing the full name; this is a copy of the "
                 "record kept by %(office)s.", office=settings.office_name), 8.5, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
