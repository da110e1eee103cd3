"""Certificates: serials, issuing on completion, PDFs, signed credentials, public verification.

Modules, one seam each:
  serials      the printed serial and its check character
  status       the state a certificate is in today (valid, expired, revoked, replaced, superseded)
  issue        the completion hook, renewal, re-issue and revocation
  documents    what a certificate says (plain data for the PDF and the credential)
  pdf          the A4 certificate and the inspection poster (reportlab)
  signing      the Ed25519 key pair, canonical JSON and base encodings
  proofs       Data Integrity proofs (eddsa-jcs-2022) made and checked with that key
  credentials  the Open Badges 3.0 credential (public and holder's copy), signed once and stored
  status_lists the W3C Bitstring Status Lists saying which certificates are no longer valid
  compact      the signed compact claims in the QR code (versions 1 and 2)
  verify       public look-ups by token, serial and organization token; what each may show; the name check
  queries      lists for trainees, companies, the office and the CLI
  bundles      the streamed ZIP of a company's certificates
  access       who may download which certificate
  seal         the placeholder seal image (Pillow)

May import: platform, learning (the hours studied), workforce (the public check shows the organization's
drills and commitments). Other contexts may import the modules named in EXPORTS (and the package's errors).
"""
from portal.domain.platform.errors import FontMissing, PortalError  # noqa: F401 (FontMissing: raised by pdf)

EXPORTS = ("issue",)
MAY_IMPORT = ("platform", "learning", "workforce")


class CertificateError(PortalError):
    """A certificate action that cannot be done (bad state, missing reason...)."""
