"""A company's certificates as one ZIP, written while it downloads.

Why streamed and not a background job with a progress page: the first bytes leave after the first
certificate (about 30 ms), so the browser's own download indicator shows progress at once and no
proxy times out; PDFs are cached in STORAGE_PATH, so a second download is mostly file reads; and
the portal has no job queue to run, watch and clean up. A 1,000-person company takes about 30 s
the first time. The ZIP ends with a manifest (CSV, UTF-8 with BOM for Excel).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Iterator

from portal.domain.certificates.documents import CertificateDocument, CertificateSettings
from portal.domain.certificates.pdf import certificate_pdf
from portal.domain.platform.tabular import write_csv

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class BundleEntry:
    doc: CertificateDocument
    state: str


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink that zipfile writes to and the generator drains."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def entry_name(doc: CertificateDocument) -> str:
    """certificates/<serial>-<name>-<course>.pdf, without characters file systems refuse."""
    return "certificates/" + _UNSAFE.sub("_", f"{doc.serial}-{doc.holder_name}-{doc.course_code}") + ".pdf"


def _manifest(entries: list[BundleEntry], settings: CertificateSettings) -> bytes:
    """The CSV an HR administrator opens in a spreadsheet: written by tabular, so a holder registered as
    +HYPERLINK(...) or =1+1 stays text."""
    headers = ["serial", "name", "organization", "course", "course_title", "credit_hours", "completed_on",
               "valid_until", "status", "file", "verification_url"]
    return write_csv(headers, ([entry.doc.serial, entry.doc.holder_name, entry.doc.organization_name,
                                entry.doc.course_code, entry.doc.course_title_zh, entry.doc.hours_text,
                                entry.doc.completed_on, entry.doc.valid_until, entry.state, entry_name(entry.doc),
                                settings.verify_url(entry.doc.token)] for entry in entries))


def stream_zip(entries: Iterable[BundleEntry], settings: CertificateSettings, *, now: datetime) -> Iterator[bytes]:
    """Yield the ZIP's bytes certificate by certificate (PDFs are stored, they are compressed already)."""
    entries = list(entries)
    pipe = _Pipe()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry_name(entry.doc), date_time=stamp)
            archive.writestr(info, certificate_pdf(entry.doc, settings))
            yield pipe.drain()
        manifest = zipfile.ZipInfo(MANIFEST, date_time=stamp)
        archive.writestr(manifest, _manifest(entries, settings), compress_type=zipfile.ZIP_DEFLATED)
    yield pipe.drain()


def zip_filename(org_name: str, today: date) -> str:
    return _UNSAFE.sub("_", f"{org_name}-certificates-{today.isoformat()}") + ".zip"

