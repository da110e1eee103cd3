"""Every string the portal shows has its Chinese translation (zh_CN is the default language)."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "portal" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_string_is_translated(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(template), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as file:
        extracted = [message.id for message in read_po(file) if message.id]
    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    assert len(extracted) > 500
    untranslated = [msgid for msgid in extracted if catalog.get(msgid) is None or not catalog.get(msgid).string]
    assert untranslated == [], "run `make extract-messages` and translate: " + repr(untranslated[:20])
