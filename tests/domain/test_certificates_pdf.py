"""Real certificate PDFs: text, embedded CJK font, size, the QR code decoded from a rendered page."""
from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
import zxingcpp
from PIL import Image

from portal.domain.certificates import FontMissing, pdf, signing
from portal.domain.certificates.compact import qr_url, verify_compact
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings


@pytest.fixture
def settings(app, tmp_path):
    return replace(CertificateSettings.from_config(app.config), base_url="https://fire.example.org",
                   signing_key_path=str(tmp_path / "key.pem"), storage_path=str(tmp_path / "storage"))


@pytest.fixture
def doc():
    return CertificateDocument(
        serial="SFQ-2026-000123-F", token="Zk3X9c2m0QpL7vB4nR8sT1uW6yA5dE0g", holder_name="欧阳小明",
        organization_name="示范购物中心", course_code="all-staff-basics", course_title_zh="全员消防安全基础",
        course_title_en="Fire-safety basics for all staff", credit_hours=1.5, completed_on=date(2026, 5, 1),
        issued_at=datetime(2026, 5, 1, 10, tzinfo=timezone.utc), valid_until=date(2027, 5, 1),
        identity_salt="m3Kx0Zq9TgP2wYb7Rv5sNc")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_pdf_text_font_and_size(doc, settings, tmp_path):
    data = pdf.render_certificate(doc, settings)
    assert data.startswith(b"%PDF") and len(data) < 200 * 1024
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    text = run("pdftotext", "-layout", str(path), "-")
    for expected in ("消防安全培训合格证书", "欧阳小明", "全员消防安全基础", "SFQ-2026-000123-F", "示范购物中心",
                     "Fire-safety basics for all staff", "1.5", "2027-05-01", settings.office_name_zh):
        assert expected in text, expected
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts), fonts  # emb sub uni
    assert any("WenQuanYi" in line for line in fonts)


def test_the_issue_date_printed_is_the_local_day(doc, settings, tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.render_certificate(replace(doc, issued_at=datetime(2026, 12, 6, 20, 30, tzinfo=timezone.utc)),
                                            settings))
    text = run("pdftotext", "-layout", str(path), "-")
    assert "2026年12月7日" in text and "2026-12-07" in text and "12月6日" not in text


def test_pypdf_extracts_the_chinese_text_too(doc, settings):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.render_certificate(doc, settings)))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert width > height  # A4 landscape
    text = reader.pages[0].extract_text()
    assert "欧阳小明" in text and "SFQ-2026-000123-F" in text


def test_qr_code_decodes_to_the_verification_url_with_signed_claims(doc, settings, tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.render_certificate(doc, settings))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.format for code in codes] == [zxingcpp.BarcodeFormat.QRCode]
    url = codes[0].text
    assert url == qr_url(doc, settings)
    assert url.startswith(f"https://fire.example.org/verify/{doc.token}?c=")
    claims = verify_compact(url.split("?c=", 1)[1], signing.public_key(settings.signing_key_path))
    assert (claims.version, claims.serial, claims.course_code, claims.valid_until) == (
        "2", doc.serial, doc.course_code, doc.valid_until)
    assert claims.matches_name("欧阳小明") and not claims.matches_name("欧阳大明")


def test_one_off_certificate_says_no_expiry(doc, settings, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.render_certificate(replace(doc, valid_until=None), settings))
    assert "长期有效" in run("pdftotext", str(path), "-")


def test_long_course_titles_wrap_inside_the_page(doc, settings, tmp_path):
    long = replace(doc, course_title_zh="人员密集场所及大型商业综合体消防安全管理人员和微型消防站队员专项培训" * 2,
                   course_title_en="Special training for managers of crowded places " * 4)
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.render_certificate(long, settings))
    run("pdftotext", str(path), "-")  # renders without error; wrapping keeps lines inside the frame


def test_cached_pdf_is_reused_and_keyed_by_content(doc, settings):
    first = pdf.certificate_pdf(doc, settings)
    files = list(settings.certificate_cache.iterdir())
    assert len(files) == 1 and pdf.certificate_pdf(doc, settings) == first
    pdf.certificate_pdf(replace(doc, holder_name="欧阳晓明"), settings)
    assert len(list(settings.certificate_cache.iterdir())) == 2


def test_missing_font_fails_with_a_clear_message(doc, settings):
    with pytest.raises(FontMissing) as error:
        pdf.render_certificate(doc, replace(settings, font_path="/nowhere/font.ttc"))
    assert "/nowhere/font.ttc" in str(error.value) and "fonts-wqy-zenhei" in str(error.value)


def test_inspection_poster_and_png_carry_the_url(settings, tmp_path):
    url = "https://fire.example.org/verify/org/7-AAAAAAAAAAAAAAAAAAAAAA"
    poster = tmp_path / "poster.pdf"
    poster.write_bytes(pdf.render_inspection_poster(org_name="示范购物中心", url=url, settings=settings))
    assert "示范购物中心" in run("pdftotext", str(poster), "-")
    png = tmp_path / "qr.png"
    png.write_bytes(pdf.qr_png(url))
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(png))] == [url]
