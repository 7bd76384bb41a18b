"""Checkpoint signatures: Ed25519 (``cryptography``) or SM2 with SM3 (``tongsuopy``, default
user id ``1234567812345678``).

The installation's private key is generated on first use into the key directory
(``ZHIFA_DATA_DIR/keys`` by default) as unencrypted PKCS#8 PEM, readable by its owner only
(0600, directory 0700): ``ledger-ed25519.pem`` or ``ledger-sm2.pem``. Public keys travel as
DER SubjectPublicKeyInfo, which names its own algorithm, so a verifier needs nothing else.
Every key file in the directory stays trusted for the checkpoints it signed: keep old key
files when switching ``ZHIFA_LEDGER_SIGNATURE``.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from . import conf


@dataclass(frozen=True)
class SigningKey:
    algorithm: str  # "ed25519" | "sm2"
    private_key: Any
    public_key: bytes  # DER SubjectPublicKeyInfo

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "ed25519":
            return bytes(self.private_key.sign(message))
        from tongsuopy.crypto import hashes
        from tongsuopy.crypto.asymciphers import ec

        return bytes(self.private_key.sign(message, ec.ECDSA(hashes.SM3())))


def _generate_pem(algorithm: str) -> bytes:
    if algorithm == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    from tongsuopy.crypto import serialization as t_serialization
    from tongsuopy.crypto.asymciphers import ec

    sm2_key = ec.generate_private_key(ec.SM2())
    return bytes(sm2_key.private_bytes(t_serialization.Encoding.PEM,
                                       t_serialization.PrivateFormat.PKCS8,
                                       t_serialization.NoEncryption()))


def _load(algorithm: str, pem: bytes) -> SigningKey:
    if algorithm == "ed25519":
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError("the ed25519 key file holds another kind of key")
        public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        return SigningKey("ed25519", key, public)
    from tongsuopy.crypto import serialization as t_serialization

    sm2_key = t_serialization.load_pem_private_key(pem, password=None)
    if getattr(getattr(sm2_key, "curve", None), "name", "") != "SM2":
        raise ValueError("the sm2 key file holds another kind of key")
    public = sm2_key.public_key().public_bytes(
        t_serialization.Encoding.DER, t_serialization.PublicFormat.SubjectPublicKeyInfo)
    return SigningKey("sm2", sm2_key, bytes(public))


def key_path(algorithm: str) -> Path:
    return conf.key_dir() / f"ledger-{algorithm}.pem"


def signing_key(algorithm: str | None = None) -> SigningKey:
    """The installation's key for ``algorithm`` (default: ``ZHIFA_LEDGER_SIGNATURE``),
    created on first use."""
    algorithm = algorithm or conf.signature_algorithm()
    path = key_path(algorithm)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = _generate_pem(algorithm)
        try:
            # O_EXCL: when two processes race, one writes and both read the same key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return _load(algorithm, path.read_bytes())


def trusted_public_keys() -> dict[bytes, str]:
    """Public keys of every installation key on disk, with their algorithm."""
    trusted = {}
    for algorithm in conf.SIGNATURE_ALGORITHMS:
        path = key_path(algorithm)
        if path.exists():
            key = _load(algorithm, path.read_bytes())
            trusted[key.public_key] = algorithm
    return trusted


def public_key_algorithm(public_key: bytes) -> str:
    """``"ed25519"`` or ``"sm2"`` for a DER SubjectPublicKeyInfo; ``ValueError`` otherwise."""
    return _public_key(public_key)[0]


def _public_key(der: bytes) -> tuple[str, Any]:
    try:
        key = serialization.load_der_public_key(der)
    except UnsupportedAlgorithm:
        key = None  # SM2 is not a curve ``cryptography`` knows
    except ValueError as exc:
        raise ValueError("not a DER SubjectPublicKeyInfo public key") from exc
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519", key
    if key is not None:
        raise ValueError("only Ed25519 and SM2 public keys are accepted")
    from tongsuopy.crypto import serialization as t_serialization

    try:
        sm2_key = t_serialization.load_der_public_key(der)
    except Exception as exc:  # tongsuopy raises its own exception types
        raise ValueError("only Ed25519 and SM2 public keys are accepted") from exc
    if getattr(getattr(sm2_key, "curve", None), "name", "") != "SM2":
        raise ValueError("only Ed25519 and SM2 public keys are accepted")
    return "sm2", sm2_key


def verify_signature(*, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the key's signature over ``message`` (False for a malformed
    key or signature too)."""
    try:
        algorithm, key = _public_key(public_key)
    except ValueError:
        return False
    if algorithm == "ed25519":
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True
    from tongsuopy.crypto import hashes
    from tongsuopy.crypto.asymciphers import ec

    try:
        key.verify(signature, message, ec.ECDSA(hashes.SM3()))
    except Exception:  # InvalidSignature, or a signature that is not DER at all
        return False
    return True
