"""``/api/v1/ledger/``: checkpoints, proofs, witness cosignatures; the permission matrix."""

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client
from tongsuopy.crypto import hashes as t_hashes
from tongsuopy.crypto import serialization as t_serialization
from tongsuopy.crypto.asymciphers import ec

from tests import factories as f
from tests.api.helpers import body_ref, error
from tests.ledger.helpers import append_mixed
from zhifa.ledger import merkle
from zhifa.ledger.models import Checkpoint, Cosignature, LedgerEntry
from zhifa.ledger.services import checkpoint_message, checkpoint_sign

pytestmark = pytest.mark.django_db
API = "/api/v1/ledger"
SM3 = merkle.hasher("sm3")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def w() -> f.World:
    world = f.World()
    append_mixed(30)
    world.checkpoint = checkpoint_sign(actor=None)  # type: ignore[attr-defined]
    return world


def witness_key() -> tuple[ed25519.Ed25519PrivateKey, bytes]:
    key = ed25519.Ed25519PrivateKey.generate()
    return key, key.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)


def cosign(user: Any, checkpoint: Checkpoint, body: dict[str, str] | None = None) -> Any:
    if body is None:
        key, public = witness_key()
        body = {"public_key": b64(public),
                "signature": b64(key.sign(checkpoint_message(checkpoint)))}
    return client(user).post(f"{API}/checkpoints/{checkpoint.public_id}/cosignatures",
                             json.dumps(body), content_type="application/json")


def state() -> tuple[int, int]:
    return LedgerEntry.objects.count(), Cosignature.objects.count()


def checkpoint_out(cp: Checkpoint, cosignatures: list[dict[str, Any]]) -> dict[str, Any]:
    when = cp.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = b64(bytes(cp.root_hash))
    return {
        "public_id": str(cp.public_id), "tree_size": cp.tree_size, "root_hash": root,
        "algorithm": "sm3", "timestamp": when, "signature": b64(bytes(cp.signature)),
        "public_key": b64(bytes(cp.public_key)), "key_algorithm": "ed25519",
        "signed_text": f"zhifa-ledger-checkpoint/v1\nsm3\n{cp.tree_size}\n{root}\n{when}\n",
        "cosignatures": cosignatures,
    }


GETS = ["/checkpoints/latest", "/checkpoints", "/proofs/inclusion?seq=3",
        "/proofs/consistency?old=3&new=20"]


def test_anonymous_is_401(w: f.World) -> None:
    for url in [*GETS, f"/checkpoints/{w.checkpoint.public_id}"]:  # type: ignore[attr-defined]
        error(client(None).get(API + url), 401, "not_authenticated")
    before = state()
    error(cosign(None, w.checkpoint), 401, "not_authenticated")  # type: ignore[attr-defined]
    assert state() == before


def test_an_account_without_a_post_is_403(w: f.World) -> None:
    for url in GETS:
        error(client(w.u_no_person).get(API + url), 403, "missing_view_registry")


def test_staff_read_checkpoints(w: f.World) -> None:
    cp: Checkpoint = w.checkpoint  # type: ignore[attr-defined]
    response = client(w.u_officer_b).get(f"{API}/checkpoints/latest")
    assert response.status_code == 200
    assert response.json() == checkpoint_out(cp, [])
    response = client(w.u_officer_a).get(f"{API}/checkpoints")
    assert response.json() == {"count": 1, "items": [checkpoint_out(cp, [])]}
    response = client(w.u_officer_a).get(f"{API}/checkpoints/{cp.public_id}")
    assert response.json() == checkpoint_out(cp, [])
    error(client(w.u_officer_a).get(f"{API}/checkpoints/00000000-0000-0000-0000-000000000000"),
          404, "checkpoint_not_found")


def test_latest_is_404_before_any_checkpoint(db: None) -> None:
    world = f.World()
    error(client(world.u_officer_a).get(f"{API}/checkpoints/latest"), 404,
          "checkpoint_not_found")


def test_proofs(w: f.World) -> None:
    leaves = [bytes(h) for h in LedgerEntry.objects.order_by("seq").values_list(
        "leaf_hash", flat=True)]
    size = len(leaves)
    response = client(w.u_officer_a).get(f"{API}/proofs/inclusion?seq=7&size=20")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "algorithm": "sm3", "leaf_index": 7, "tree_size": 20, "leaf_hash": b64(leaves[7]),
        "inclusion_path": [b64(p) for p in merkle.inclusion_path(SM3, 7, leaves[:20])],
        "root_hash": b64(merkle.root(SM3, leaves[:20])),
    }
    assert client(w.u_officer_a).get(f"{API}/proofs/inclusion?seq=7").json()["tree_size"] == size
    response = client(w.u_supervisor).get(f"{API}/proofs/consistency?old=3&new=20")
    assert response.json() == {
        "algorithm": "sm3", "old_size": 3, "new_size": 20,
        "old_root": b64(merkle.root(SM3, leaves[:3])),
        "new_root": b64(merkle.root(SM3, leaves[:20])),
        "consistency_path": [b64(p) for p in merkle.consistency_path(SM3, 3, leaves[:20])],
    }
    error(client(w.u_officer_a).get(f"{API}/proofs/inclusion?seq={size}"), 400,
          "ledger_size_out_of_range")
    error(client(w.u_officer_a).get(f"{API}/proofs/consistency?old=5&new=4"), 400,
          "ledger_size_out_of_range")
    error(client(w.u_officer_a).get(f"{API}/proofs/inclusion?seq=x"), 422, "invalid_payload")


def test_a_supervisory_body_cosigns(w: f.World) -> None:
    cp: Checkpoint = w.checkpoint  # type: ignore[attr-defined]
    key, public = witness_key()
    signature = key.sign(checkpoint_message(cp))
    before = state()
    response = cosign(w.u_supervisor, cp, {"public_key": b64(public),
                                           "signature": b64(signature)})
    assert response.status_code == 201, response.content
    co = Cosignature.objects.get()
    expected = {"public_id": str(co.public_id), "witness_body": body_ref(w.bureau),
                "key_algorithm": "ed25519", "public_key": b64(public),
                "signature": b64(signature),
                "created_at": co.created_at.isoformat().replace("+00:00", "Z")}
    body = response.json()
    assert body.pop("created_at")[:19] == expected.pop("created_at")[:19]
    assert body == expected
    assert (co.witness_body, co.witness, co.checkpoint) == (w.bureau, w.u_supervisor, cp)
    assert state() == (before[0] + 1, before[1] + 1)
    recorded = LedgerEntry.objects.order_by("-seq").first()
    assert recorded is not None
    assert (recorded.event_code, recorded.body_id, recorded.actor_id) == (
        9001, w.bureau.pk, w.u_supervisor.pk)
    assert json.loads(recorded.payload)["witness"] == "长沙市司法局"
    # The checkpoint now lists it; a second cosignature by the same body is refused.
    listed = client(w.u_officer_a).get(f"{API}/checkpoints/{cp.public_id}").json()
    assert [c["public_id"] for c in listed["cosignatures"]] == [str(co.public_id)]
    before = state()
    error(cosign(w.u_supervisor, cp), 409, "cosignature_exists")
    assert state() == before


def test_an_sm2_witness(w: f.World) -> None:
    cp: Checkpoint = w.checkpoint  # type: ignore[attr-defined]
    key = ec.generate_private_key(ec.SM2())
    public = key.public_key().public_bytes(t_serialization.Encoding.DER,
                                           t_serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = key.sign(checkpoint_message(cp), ec.ECDSA(t_hashes.SM3()))
    response = cosign(w.u_supervisor, cp, {"public_key": b64(public),
                                           "signature": b64(signature)})
    assert response.status_code == 201
    assert response.json()["key_algorithm"] == "sm2"


@pytest.mark.parametrize("who", ["u_officer_a", "u_admin_a", "u_officer_b"])
def test_other_roles_are_403_and_write_nothing(w: f.World, who: str) -> None:
    before = state()
    error(cosign(getattr(w, who), w.checkpoint), 403,  # type: ignore[attr-defined]
          "missing_supervise")
    assert state() == before


def test_a_system_administrator_is_not_a_witness_body(w: f.World) -> None:
    before = state()
    error(cosign(w.u_sysadmin, w.checkpoint), 403,  # type: ignore[attr-defined]
          "not_a_supervisory_body")
    assert state() == before


def test_bad_cosignatures_write_nothing(w: f.World) -> None:
    cp: Checkpoint = w.checkpoint  # type: ignore[attr-defined]
    key, public = witness_key()
    other = checkpoint_sign(actor=None)
    before = state()
    cases = [
        ({"public_key": b64(public), "signature": b64(key.sign(checkpoint_message(other)))},
         400, "cosignature_invalid"),
        ({"public_key": b64(b"not a key"), "signature": b64(b"x" * 64)}, 400,
         "cosignature_key_invalid"),
        ({"public_key": "***", "signature": b64(b"x")}, 422, "invalid_payload"),
        ({"public_key": b64(public)}, 422, "invalid_payload"),
    ]
    for body, status, code in cases:
        error(cosign(w.u_supervisor, cp, body), status, code)
    response = client(w.u_supervisor).post(
        f"{API}/checkpoints/00000000-0000-0000-0000-000000000000/cosignatures",
        json.dumps({"public_key": b64(public), "signature": b64(b"x")}),
        content_type="application/json")
    error(response, 404, "checkpoint_not_found")
    assert state() == before


def test_operation_ids_are_the_service_and_selector_names(db: None) -> None:
    schema = client(None).get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path, item in schema["paths"].items()
           if path.startswith("/api/v1/ledger/") for op in item.values()}
    assert ids == {"checkpoint_latest", "checkpoint_list", "checkpoint_get", "inclusion_proof",
                   "consistency_proof", "cosignature_add"}
