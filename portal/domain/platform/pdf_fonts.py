"""The CJK font and the inks every PDF of the portal uses (certificates, commitments, coverage reports): the
font is registered with reportlab once per process."""
from __future__ import annotations

import hashlib
import os
import threading

from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from portal.domain.platform.errors import FontMissing

RED = Color(0.70, 0.15, 0.12)
INK = Color(0.11, 0.11, 0.12)
MUTED = Color(0.33, 0.33, 0.33)
_fonts: dict[str, str] = {}
_lock = threading.Lock()


def register_font(path: str) -> str:
    """Register the certificate font once per process and return its reportlab name."""
    with _lock:
        if path in _fonts:
            return _fonts[path]
        if not os.path.isfile(path):
            raise FontMissing(_l(
                "The certificate font %(path)s is missing. Install it (Debian: apt-get install fonts-wqy-zenhei) "
                "or set CERT_FONT_PATH to a TrueType font with Chinese glyphs.", path=path))
        name = "CertCJK-" + hashlib.sha256(path.encode()).hexdigest()[:8]
        options = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(name, path, **options))
        _fonts[path] = name
        return name
