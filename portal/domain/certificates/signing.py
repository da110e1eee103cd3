"""The portal's Ed25519 key pair, its public JWK, canonical JSON and base encodings.

The private key lives at SIGNING_KEY_PATH (PKCS#8 PEM), created on first use with mode 0600.
Keys are cached per path for the life of the process. `cryptography` loads at the first key used (a certificate
signed or checked), not in every worker at start.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

log = logging.getLogger(__name__)
_keys: dict[str, Ed25519PrivateKey] = {}
_lock = threading.Lock()
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ValueError on anything else."""
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b58encode(data: bytes) -> str:
    """Base58btc (the Bitcoin alphabet), as used by multibase 'z' proof values."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        index = _B58.find(ch)
        if index < 0:
            raise ValueError("not base58btc")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) for the values credentials contain: sorted keys, no spaces, UTF-8,
    integral floats written as integers as JavaScript does."""

    def normalize(item):
        if isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise ValueError("JSON has no NaN or infinity")
            return int(item) if item.is_integer() else item
        if isinstance(item, dict):
            return {str(k): normalize(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [normalize(v) for v in item]
        return item

    return json.dumps(normalize(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _create(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return _read(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)
    log.warning("created a new certificate signing key at %s: back it up, certificates depend on it", path)
    return key


def _read(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.stat().st_mode & 0o077:
        log.warning("the signing key %s is readable by other users: chmod 600 it", path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def private_key(path: str) -> Ed25519PrivateKey:
    """The signing key at `path`, generated (0600) on first use."""
    with _lock:
        key = _keys.get(path)
        if key is None:
            file = Path(path)
            key = _read(file) if file.exists() else _create(file)
            _keys[path] = key
        return key


def public_key(path: str) -> Ed25519PublicKey:
    return private_key(path).public_key()


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The JWK thumbprint (RFC 7638) of the public key."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public_key(key))}
    return b64url(sha256(canonical_json(members)))


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037: OKP / Ed25519)."""
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw_public_key(key)), "kid": key_id(key),
            "alg": "EdDSA", "use": "sig"}


def key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    """The public key of a published JWK; ValueError when it is not an Ed25519 OKP key."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def sign(path: str, data: bytes) -> bytes:
    return private_key(path).sign(data)


def signature_valid(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
