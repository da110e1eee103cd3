"""The platform: what every context stands on and which knows nothing of fire-safety training. Errors and
local time, the audit log, who may see what (policy), passwords and sessions, mail, tabular files (CSV/XLSX),
backups, idempotency keys, validators of ID numbers and mobiles, YAML with line numbers, the PDF font.

May import: nothing else of portal.domain (only portal.models). Every other context may import the modules
named in EXPORTS.
"""
EXPORTS = ("audit", "errors", "localtime", "login_sessions", "mail", "password_strength", "passwords",
           "pdf_fonts", "policy", "sql", "tabular", "validators", "yamlines")
MAY_IMPORT: tuple[str, ...] = ()
