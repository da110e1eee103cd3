"""Certificate PDFs (A4 landscape, Chinese and English) and the inspection poster, with reportlab.

The CJK font is embedded as a subset (TrueType outlines: WenQuanYi Zen Hei by default), so the PDF
reads the same everywhere and its text extracts. Fonts and the seal image are loaded once per process.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading

import qrcode
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from portal.domain.certificates.compact import qr_url
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings
from portal.domain.platform.localtime import local_date
from portal.domain.platform.pdf_fonts import INK, MUTED, RED, register_font

RENDER_VERSION = "3"  # bump when the layout changes: cached PDFs are keyed by it
_images: dict[str, bytes | None] = {}
_lock = threading.Lock()


def _seal(path: str) -> bytes | None:
    """The seal as JPEG bytes on white, prepared once per process; None when there is no seal file.

    A JPEG goes into the PDF as it is, where a PNG with transparency is recompressed for every
    document (about 40 ms); the white background disappears under the Multiply blend mode.
    """
    with _lock:
        if path not in _images:
            _images[path] = _seal_jpeg(path) if path and os.path.isfile(path) else None
        return _images[path]


def _seal_jpeg(path: str) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90)
    return out.getvalue()


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code's dark modules (error correction M, smallest version, best mask).

    The `qrcode` package encodes the certificates' 240-character URLs in about 16 ms where
    reportlab's encoder takes about 23 ms, a seventh of the 50 ms budget.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float, quiet: int = 2) -> None:
    """Draw a QR code as one filled path of horizontal runs.

    reportlab's QrCodeWidget makes one shape per module and encodes twice, about 100 ms for the long
    URLs certificates carry; one path is a few milliseconds and the PDF smaller.
    """
    modules = qr_modules(text)
    n = len(modules)
    unit = size / (n + 2 * quiet)
    path = canvas.beginPath()
    for row, cells in enumerate(modules):
        top = y + size - (row + quiet) * unit
        col = 0
        while col < n:
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < n and cells[col]:
                col += 1
            path.rect(x + (start + quiet) * unit, top - unit, (col - start) * unit, unit)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _centered(canvas: Canvas, font: str, size: float, y: float, text: str, width: float, color=INK) -> float:
    """Draw wrapped, centred lines from y downwards; returns the y below the last line."""
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    for line in simpleSplit(text, font, size, width):
        canvas.drawCentredString(canvas._pagesize[0] / 2, y, line)
        y -= size * 1.45
    return y


def _date_zh(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _frame(canvas: Canvas, w: float, h: float) -> None:
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(4)
    canvas.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(13 * mm, 13 * mm, w - 26 * mm, h - 26 * mm)


def _body(canvas: Canvas, font: str, doc: CertificateDocument, w: float, h: float) -> None:
    y = _centered(canvas, font, 30, h - 42 * mm, "消防安全培训合格证书", w, RED)
    y = _centered(canvas, font, 13, y + 6, "Certificate of Fire-Safety Training", w, MUTED)
    y = _centered(canvas, font, 26, y - 12 * mm, doc.holder_name, w - 60 * mm)
    text_zh = (f"于{_date_zh(doc.completed_on)}完成《{doc.course_title_zh}》培训（{doc.hours_text}学时），"
               "经考核合格，特发此证。")
    y = _centered(canvas, font, 14, y - 2 * mm, text_zh, w - 70 * mm)
    text_en = (f"has completed the course \u201c{doc.course_title_en}\u201d ({doc.hours_text} credit hours) "
               f"on {doc.completed_on:%d %B %Y} and passed the assessment.")
    _centered(canvas, font, 11, y, text_en, w - 70 * mm, MUTED)


def _facts(canvas: Canvas, font: str, doc: CertificateDocument, x: float, y: float) -> None:
    until_zh = _date_zh(doc.valid_until) if doc.valid_until else "长期有效"
    until_en = doc.valid_until.isoformat() if doc.valid_until else "no expiry"
    issued = local_date(doc.issued_at)
    rows = (
        ("证书编号 Serial", doc.serial),
        ("工作单位 Organization", doc.organization_name or "—"),
        ("发证日期 Issued", f"{_date_zh(issued)}  {issued.isoformat()}"),
        ("有效期至 Valid until", f"{until_zh}  {until_en}"),
    )
    for label, value in rows:
        canvas.setFont(font, 9.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(x, y, label)
        canvas.setFont(font, 11)
        canvas.setFillColor(INK)
        canvas.drawString(x + 40 * mm, y, value)
        y -= 6.2 * mm


def _verification(canvas: Canvas, font: str, doc: CertificateDocument, settings: CertificateSettings) -> None:
    size = 40 * mm
    x, y = 22 * mm, 24 * mm
    draw_qr(canvas, qr_url(doc, settings), x, y + 5 * mm, size)
    canvas.setFont(font, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(x, y + 1.5 * mm, "扫码验证 Scan to verify")
    canvas.drawString(x, y - 2 * mm, f"或登录 {settings.verify_form_url} 输入证书编号")
    canvas.drawString(x, y - 5.5 * mm, f"or enter the serial at {settings.verify_form_url}")


def _issuer(canvas: Canvas, font: str, doc: CertificateDocument, settings: CertificateSettings, w: float) -> None:
    right = w - 28 * mm
    seal = _seal(settings.seal_path)
    if seal is not None:
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        canvas.drawImage(ImageReader(io.BytesIO(seal)), right - 52 * mm, 14 * mm, 38 * mm, 38 * mm)
        canvas.restoreState()
    canvas.setFillColor(INK)
    canvas.setFont(font, 13)
    canvas.drawRightString(right, 40 * mm, settings.office_name_zh)
    canvas.setFont(font, 9)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(right, 35 * mm, settings.office_name_en)
    canvas.setFont(font, 11)
    canvas.setFillColor(INK)
    canvas.drawRightString(right - 12 * mm, 27 * mm, _date_zh(local_date(doc.issued_at)))


def render_certificate(doc: CertificateDocument, settings: CertificateSettings) -> bytes:
    """The certificate as PDF bytes (about 30 KB)."""
    font = register_font(settings.font_path)
    buffer = io.BytesIO()
    w, h = landscape(A4)
    canvas = Canvas(buffer, pagesize=(w, h), pageCompression=1, initialFontName=font)
    canvas.setTitle(f"消防安全培训合格证书 {doc.serial}")
    canvas.setAuthor(settings.office_name_zh)
    canvas.setSubject(f"{doc.course_title_zh} / {doc.course_title_en}")
    canvas.setCreator("Fire Safety Training Portal")
    _frame(canvas, w, h)
    _body(canvas, font, doc, w, h)
    _facts(canvas, font, doc, 92 * mm, 86 * mm)
    _verification(canvas, font, doc, settings)
    _issuer(canvas, font, doc, settings, w)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate_pdf(doc: CertificateDocument, settings: CertificateSettings) -> bytes:
    """The certificate's PDF from the file cache in STORAGE_PATH, rendered and stored on a miss.

    A certificate's printed content never changes (corrections issue a new certificate), so the
    cache key is the serial plus a hash of the document and the deployment's certificate settings.
    """
    folder = settings.certificate_cache
    if folder is None:
        return render_certificate(doc, settings)
    fingerprint = hashlib.sha256(repr((RENDER_VERSION, doc, settings)).encode("utf-8")).hexdigest()[:16]
    path = folder / f"{doc.serial}-{fingerprint}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render_certificate(doc, settings)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
    return data


def render_inspection_poster(*, org_name: str, url: str, settings: CertificateSettings) -> bytes:
    """An A4 portrait poster with the organization's inspection QR code, to print and put up."""
    font = register_font(settings.font_path)
    buffer = io.BytesIO()
    w, h = A4
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    canvas.setTitle(f"{org_name} 消防安全培训查验码")
    y = _centered(canvas, font, 26, h - 40 * mm, org_name, w - 40 * mm)
    y = _centered(canvas, font, 18, y - 4 * mm, "消防安全培训情况查验码", w, RED)
    _centered(canvas, font, 12, y, "Fire-safety training check for inspectors", w, MUTED)
    size = 110 * mm
    draw_qr(canvas, url, (w - size) / 2, h / 2 - size / 2 - 10 * mm, size)
    y = _centered(canvas, font, 12, h / 2 - size / 2 - 20 * mm,
                  "扫码查看本单位持有效培训证书的员工比例及最近一次消防演练日期（不含个人信息）。", w - 40 * mm)
    _centered(canvas, font, 10, y, "Scan to see the share of staff holding a valid training certificate and "
              "the date of the last fire drill (no personal data).", w - 40 * mm, MUTED)
    _centered(canvas, font, 10, 20 * mm, f"{settings.office_name_zh}  {settings.office_name_en}", w - 40 * mm, MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def qr_png(text: str, *, box: int = 10) -> bytes:
    """A QR code as a PNG (for the inspection code a company prints or puts in its own documents)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()
