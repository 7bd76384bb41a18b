"""Signing keys and checkpoint signatures: Ed25519 and SM2."""

import base64
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from tongsuopy.crypto import hashes as t_hashes
from tongsuopy.crypto import serialization as t_serialization
from tongsuopy.crypto.asymciphers import ec

from tests.ledger.helpers import append_mixed, run_json
from zhifa.ledger import signing
from zhifa.ledger.models import Checkpoint
from zhifa.ledger.services import checkpoint_message, checkpoint_sign
from zhifa.ledger.verify import ledger_verify


def test_the_key_is_made_once_and_readable_by_its_owner_only(_keys: Path) -> None:
    assert not _keys.exists()
    key = signing.signing_key()
    path = _keys / "ledger-ed25519.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(_keys.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = signing.signing_key()
    assert again.public_key == key.public_key
    assert signing.trusted_public_keys() == {key.public_key: "ed25519"}
    assert isinstance(serialization.load_der_public_key(key.public_key),
                      ed25519.Ed25519PublicKey)


def test_sm2_key(_keys: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZHIFA_LEDGER_SIGNATURE = "sm2"
    key = signing.signing_key()
    assert key.algorithm == "sm2"
    assert stat.S_IMODE((_keys / "ledger-sm2.pem").stat().st_mode) == 0o600
    public = t_serialization.load_der_public_key(key.public_key)
    signature = key.sign(b"message")
    public.verify(signature, b"message", ec.ECDSA(t_hashes.SM3()))  # raises if bad
    assert signing.public_key_algorithm(key.public_key) == "sm2"
    assert signing.verify_signature(public_key=key.public_key, message=b"message",
                                    signature=signature)
    assert not signing.verify_signature(public_key=key.public_key, message=b"other",
                                        signature=signature)


def test_verify_signature_is_false_for_junk() -> None:
    key = signing.signing_key()
    good = key.sign(b"m")
    assert signing.verify_signature(public_key=key.public_key, message=b"m", signature=good)
    assert not signing.verify_signature(public_key=key.public_key, message=b"m",
                                        signature=b"x" * 64)
    assert not signing.verify_signature(public_key=b"not a key", message=b"m", signature=good)
    with pytest.raises(ValueError):
        signing.public_key_algorithm(b"not a key")
    # A P-256 key is a valid key of an algorithm the ledger does not accept.
    from cryptography.hazmat.primitives.asymmetric import ec as c_ec

    p256 = c_ec.generate_private_key(c_ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="only Ed25519 and SM2"):
        signing.public_key_algorithm(p256)


@pytest.mark.django_db
def test_sm2_checkpoints_verify_and_old_keys_stay_trusted(settings) -> None:  # type: ignore[no-untyped-def]
    append_mixed(5)
    first = checkpoint_sign(actor=None)
    assert first.key_algorithm == "ed25519"
    settings.ZHIFA_LEDGER_SIGNATURE = "sm2"
    append_mixed(5)
    second = checkpoint_sign(actor=None)
    assert second.key_algorithm == "sm2"
    public = t_serialization.load_der_public_key(bytes(second.public_key))
    public.verify(bytes(second.signature), checkpoint_message(second),
                  ec.ECDSA(t_hashes.SM3()))
    report = ledger_verify()
    assert (report.ok, report.checkpoints) == (True, 2)
    code, out = run_json("checkpoint")
    assert code == 0
    assert signing.public_key_algorithm(base64.b64decode(out["public_key"])) == "sm2"
    assert Checkpoint.objects.count() == 3
