"""The words for drill codes (kinds, statuses, schedule states, sign-in methods): one place for pages, exports, mail
and the audit log."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "evacuation": _l("Evacuation"),
    "extinguisher": _l("Extinguisher use"),
    "micro_station": _l("Micro fire station turnout"),
    "tabletop": _l("Tabletop exercise"),
}
STATUS_LABELS = {"planned": _l("Planned"), "held": _l("Held")}
STATE_LABELS = {"ok": _l("Up to date"), "due_soon": _l("Due soon"), "overdue": _l("Overdue")}
METHOD_LABELS = {"roster": _l("Roster"), "qr": _l("QR code")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
