"""Certificates: serials, issuing on completion, PDFs, signed credentials, public verification.

Modules, one seam each:
  serials      the printed serial and its check character
  status       the state a certificate is in today (valid, expired, revoked, replaced, superseded)
  issue        the completion hook, renewal, re-issue and revocation
  documents    what a certificate says (plain data for the PDF and the credential)
  pdf          the A4 certificate and the inspection poster (reportlab)
  signing      the Ed25519 key pair and canonical JSON
  credentials  the signed JSON credential and the compact claims in the QR code
  verify       public look-ups by token, serial and organization token
  queries      lists for trainees, companies, the office and the CLI
  bundles      the streamed ZIP of a company's certificates
  access       who may download which certificate
  demo         certificates for the demo district
  seal         the placeholder seal image (Pillow)
"""
from portal.domain.errors import PortalError


class CertificateError(PortalError):
    """A certificate action that cannot be done (bad state, missing reason...)."""


class FontMissing(PortalError):
    """The font the certificate PDFs embed is not installed."""
