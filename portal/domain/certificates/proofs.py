"""Data Integrity proofs with the cryptosuite eddsa-jcs-2022 (W3C vc-di-eddsa), made with the portal's key.

The signed bytes are sha256(JCS(proof options + the document's @context)) followed by sha256(JCS(document
without proof)); the signature is Ed25519, written as base58btc multibase ("z..."). Ed25519 is deterministic,
so the same document and options always give the same proof.

Open Badges 3.0's JSON schema wants `proof` as an array: documents carry a one-proof array; verification
also accepts a single proof object, as Verifiable Credentials 2.0 allows.
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from portal.domain.certificates import signing
from portal.domain.certificates.documents import CertificateSettings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CRYPTOSUITE = "eddsa-jcs-2022"


class InvalidProof(ValueError):
    """A signed document whose proof or shape does not check out."""


def utc_text(moment: datetime) -> str:
    """2026-06-01T08:30:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return signing.sha256(signing.canonical_json(proof_config)) + signing.sha256(signing.canonical_json(document))


def sign(document: dict[str, Any], settings: CertificateSettings, *, created: datetime) -> dict[str, Any]:
    """`document` with a one-proof array made with the portal's key at `created`."""
    key = signing.public_key(settings.signing_key_path)
    proof = {
        "type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": utc_text(created),
        "verificationMethod": f"{settings.key_url}#{signing.key_id(key)}", "proofPurpose": "assertionMethod",
    }
    config = dict(proof, **{"@context": document["@context"]})
    signature = signing.sign(settings.signing_key_path, _hash_data(document, config))
    return dict(document, proof=[dict(proof, proofValue="z" + signing.b58encode(signature))])


def _check(document: dict[str, Any], proof: Any, key: Ed25519PublicKey) -> None:
    if not isinstance(proof, dict):
        raise InvalidProof("proof is not an object")
    options = dict(proof)
    value = options.pop("proofValue", "")
    if options.get("type") != "DataIntegrityProof" or options.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidProof("unsupported proof")
    if not isinstance(value, str) or not value.startswith("z"):
        raise InvalidProof("proofValue is not base58btc multibase")
    try:
        signature = signing.b58decode(value[1:])
    except ValueError:
        raise InvalidProof("proofValue is not base58btc") from None
    options["@context"] = document.get("@context")
    try:
        hashed = _hash_data(document, options)
    except (TypeError, ValueError):
        raise InvalidProof("not canonical JSON") from None
    if not signing.signature_valid(key, signature, hashed):
        raise InvalidProof("bad signature")


def verify(signed: dict[str, Any], key: Ed25519PublicKey) -> dict[str, Any]:
    """Check every proof of a signed document offline; returns the document without them, raises InvalidProof."""
    if not isinstance(signed, dict) or "proof" not in signed:
        raise InvalidProof("no proof")
    document = copy.deepcopy(signed)
    proofs = document.pop("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if not proofs:
        raise InvalidProof("no proof")
    for proof in proofs:
        _check(document, proof, key)
    return document
