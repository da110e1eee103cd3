"""Errors a user can read: each carries a translatable message."""
from __future__ import annotations


class PortalError(Exception):
    """Base of every error the domain raises for the user to read."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ValidationError(PortalError):
    """Input that breaks a rule (bad code, duplicate, out of range)."""


class NotAllowed(PortalError):
    """The action is not allowed now (limits, state)."""


class FontMissing(PortalError):
    """The font the PDFs embed is not installed (pdf_fonts.register_font). Defined here, not beside reportlab, so
    that naming it loads no PDF library."""
