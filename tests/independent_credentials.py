"""An independent check of the portal's signed credentials, written from the specifications alone (it imports
nothing from portal/): Data Integrity eddsa-jcs-2022 (RFC 8785 canonical JSON with rfc8785, SHA-256, Ed25519
with cryptography, base58btc multibase with base58) and the W3C Bitstring Status List (multibase base64url of a
GZIP-compressed bitstring, index 0 the left-most bit)."""
from __future__ import annotations

import base64
import copy
import gzip
import hashlib
from typing import Any

import base58
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MINIMUM_ENTRIES = 131_072


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_from_jwk(jwk: dict[str, str]) -> Ed25519PublicKey:
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    return Ed25519PublicKey.from_public_bytes(_b64url(jwk["x"]))


def verify_proof(credential: dict[str, Any], jwk: dict[str, str]) -> dict[str, Any]:
    """Every proof of `credential` checked against the JWK (raises on a bad one); the document without them."""
    key = key_from_jwk(jwk)
    document = copy.deepcopy(credential)
    proofs = document.pop("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    assert proofs
    for proof in proofs:
        options = dict(proof)
        value = options.pop("proofValue")
        assert options["type"] == "DataIntegrityProof" and options["cryptosuite"] == "eddsa-jcs-2022"
        assert options["proofPurpose"] == "assertionMethod" and options["verificationMethod"].endswith("#" + jwk["kid"])
        assert value.startswith("z")
        if "@context" in document:
            options["@context"] = document["@context"]
        hashed = hashlib.sha256(rfc8785.dumps(options)).digest() + hashlib.sha256(rfc8785.dumps(document)).digest()
        key.verify(base58.b58decode(value[1:]), hashed)  # InvalidSignature when it does not check out
    return document


def bitstring(status_list_credential: dict[str, Any]) -> bytes:
    """The uncompressed bitstring of a BitstringStatusListCredential."""
    assert "BitstringStatusListCredential" in status_list_credential["type"]
    encoded = status_list_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(_b64url(encoded[1:]))
    assert len(bits) * 8 >= MINIMUM_ENTRIES
    return bits


def status_bit(status_list_credential: dict[str, Any], index: int) -> int:
    bits = bitstring(status_list_credential)
    return (bits[index // 8] >> (7 - index % 8)) & 1
