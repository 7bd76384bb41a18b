"""A public record's integrity proof: the ledger entry of its publication, its canonical
record, an RFC 6962 inclusion proof to the latest signed checkpoint and the checkpoint. The
JSON bundle is checked here in Python with the ledger's own code (``merkle.verify_inclusion``,
``signing.verify_signature``) and the digest recomputed from ``public_record``; the page
shows the same values; a record without a covering checkpoint says when it will have one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from tests.cases.factories import Agency, agency
from tests.portal.publications_helpers import (  # noqa: F401 - the fixture
    SECRETS,
    _ledger_keys,
    assert_public_headers,
    page_text,
    published_row,
    sign,
)
from zhifa.disclosure.events import PUBLICATION_PUBLISHED
from zhifa.disclosure.fields import public_record
from zhifa.disclosure.models import Publication
from zhifa.ledger import merkle, signing
from zhifa.ledger.canonical import canonical_json, checkpoint_text
from zhifa.ledger.models import Checkpoint, LedgerEntry
from zhifa.ledger.selectors import entry_leaf_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def bundle_of(client: Client, pub: Publication) -> dict[str, Any]:
    response = client.get(f"/portal/publications/{pub.public_id}/proof.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_public_headers(response)
    return json.loads(response.content)


def verify_bundle(bundle: dict[str, Any], pub: Publication) -> None:
    """Every check a third party makes, with the ledger's own code."""
    entry, record = bundle["entry"], bundle["record"]
    payload = entry["payload"]
    h = merkle.hasher(payload["algorithm"])
    # 1. the record as published recomputes to the digest in the entry
    assert record["text"] == canonical_json(public_record(pub))
    assert h.digest(record["text"].encode()).hex() == payload["content_digest"] \
        == pub.content_digest == record["content_digest"]
    # 2. the entry is this publication's, and its leaf data is the stored one
    leaf = json.loads(entry["leaf_data"])
    assert leaf[0] == 1 and leaf[1] == entry["seq"] == pub.ledger_seq
    assert leaf[4] == PUBLICATION_PUBLISHED.code == entry["event_code"]
    assert leaf[9] == payload and payload["publication"] == str(pub.public_id)
    stored = LedgerEntry.objects.get(seq=pub.ledger_seq)
    assert entry["leaf_data"].encode() == entry_leaf_data(stored)
    leaf_hash = h.leaf(entry["leaf_data"].encode())
    assert leaf_hash == bytes(stored.leaf_hash) == b64(entry["leaf_hash"])
    # 3. the path leads to the checkpoint's root
    inc, cp = bundle["inclusion"], bundle["checkpoint"]
    checkpoint = Checkpoint.objects.get(public_id=cp["id"])
    assert inc["tree_size"] == cp["tree_size"] == checkpoint.tree_size > entry["seq"]
    assert b64(cp["root_hash"]) == bytes(checkpoint.root_hash) == b64(inc["root_hash"])
    assert merkle.verify_inclusion(
        merkle.hasher(cp["algorithm"]), leaf_index=inc["leaf_index"],
        tree_size=inc["tree_size"], leaf_hash=leaf_hash,
        inclusion_path=[b64(p) for p in inc["inclusion_path"]],
        root_hash=b64(cp["root_hash"]))
    # 4. the checkpoint's signature over its text
    signed = checkpoint_text(algorithm=checkpoint.algorithm, tree_size=checkpoint.tree_size,
                             root_hash=bytes(checkpoint.root_hash),
                             timestamp=checkpoint.timestamp)
    assert cp["signed_text"].encode() == signed
    assert cp["signed_text"] == (f"zhifa-ledger-checkpoint/v1\n{cp['algorithm']}\n"
                                 f"{cp['tree_size']}\n{cp['root_hash']}\n{cp['timestamp']}\n")
    assert signing.verify_signature(public_key=b64(cp["public_key"]), message=signed,
                                    signature=b64(cp["signature"]))
    assert signing.public_key_algorithm(b64(cp["public_key"])) == cp["key_algorithm"]
    assert cp["server_verified"] is True


@pytest.mark.parametrize("algorithm", ["sm3", "sha256"])
def test_the_proof_verifies_against_the_checkpoint(client: Client, settings: Any,
                                                   algorithm: str) -> None:
    settings.ZHIFA_LEDGER_HASH = algorithm  # before the first entry fixes it
    a = agency()
    pubs = [published_row(a) for _ in range(3)]  # a tree with a few more entries
    sign()
    later = published_row(a)  # after the checkpoint: still covered by the next one only
    sign()
    for pub in (*pubs, later):
        bundle = bundle_of(client, pub)
        assert bundle["status"] == "complete"
        assert bundle["format"] == "zhifa-publication-proof/v1"
        assert bundle["entry"]["payload"]["algorithm"] == algorithm
        verify_bundle(bundle, pub)
        # the latest checkpoint, whatever the entry's age
        assert bundle["checkpoint"]["tree_size"] == Checkpoint.objects.order_by(
            "-tree_size").first().tree_size
    for secret in SECRETS:
        assert secret not in json.dumps(bundle_of(client, pubs[0]), ensure_ascii=False)


def test_the_page_shows_the_proof(client: Client, a: Agency) -> None:
    pub = published_row(a)
    checkpoint = sign()
    bundle = bundle_of(client, pub)
    response = client.get(f"/portal/publications/{pub.public_id}/")
    html = response.content.decode()
    assert 'id="proof" aria-labelledby="proof-h" data-status="complete"' in html
    from html import escape
    assert f'<pre class="proof-text" id="proof-record" tabindex="0">' \
           f'{escape(bundle["record"]["text"])}</pre>' in html
    assert f'<pre class="proof-text" id="proof-leaf" tabindex="0">' \
           f'{escape(bundle["entry"]["leaf_data"])}</pre>' in html
    assert f'<dd class="mono" id="proof-seq">{pub.ledger_seq}</dd>' in html
    assert f'<dd class="mono" id="proof-cp-size">{checkpoint.tree_size}</dd>' in html
    assert f'<dd class="mono" id="proof-cp-root">{bundle["checkpoint"]["root_hash"]}</dd>' \
        in html
    assert bundle["checkpoint"]["signature"] in html
    assert bundle["checkpoint"]["public_key"] in html
    assert '<dd class="mono" id="proof-key-algorithm">ed25519</dd>' in html
    for node in bundle["inclusion"]["inclusion_path"]:
        assert f"<li>{node}</li>" in html
    # the same bundle for the script, and the scripts
    data = html.split('<script id="proof-data" type="application/json">')[1].split(
        "</script>")[0]
    assert json.loads(data) == bundle
    assert "portal/sm3.js" in html and "portal/proof.js" in html
    assert 'id="proof-verify"' in html
    assert f'href="/portal/publications/{pub.public_id}/proof.json"' in html
    assert "openssl pkeyutl -verify" in html


def test_without_a_covering_checkpoint_the_proof_is_pending(client: Client,
                                                            a: Agency) -> None:
    first = published_row(a)
    bundle = bundle_of(client, first)
    assert bundle["status"] == "pending"
    assert bundle["inclusion"] is None and bundle["checkpoint"] is None
    assert bundle["entry"]["seq"] == first.ledger_seq
    page = client.get(f"/portal/publications/{first.public_id}/")
    assert 'id="proof-pending"' in page.content.decode()
    assert "zhifa ledger checkpoint" in page_text(page)
    sign()
    newer = published_row(a)  # the checkpoint is older than this entry
    assert bundle_of(client, newer)["status"] == "pending"
    assert bundle_of(client, first)["status"] == "complete"


def test_a_record_changed_after_publication_no_longer_matches(client: Client,
                                                              a: Agency) -> None:
    """Whoever alters the published fields in the database cannot alter the entry: the proof
    shows the record as it is now, and its digest no longer matches."""
    pub = published_row(a)
    sign()
    public = dict(pub.public, result="罚款人民币伍拾元整。")
    Publication.objects.filter(pk=pub.pk).update(public=public)
    pub.refresh_from_db()
    bundle = bundle_of(client, pub)
    payload = bundle["entry"]["payload"]
    assert merkle.hasher(payload["algorithm"]).digest(
        bundle["record"]["text"].encode()).hex() != payload["content_digest"]


def test_an_entry_that_is_not_the_publication_s_is_not_shown(client: Client,
                                                             a: Agency) -> None:
    one, two = published_row(a), published_row(a)
    sign()
    Publication.objects.filter(pk=one.pk).update(ledger_seq=two.ledger_seq)
    bundle = bundle_of(client, one)
    assert bundle["status"] == "unavailable" and bundle["entry"] is None
    assert 'id="proof-unavailable"' in client.get(
        f"/portal/publications/{one.public_id}/").content.decode()


def test_an_sm2_checkpoint_is_verified_by_the_server(client: Client, a: Agency,
                                                     settings: Any) -> None:
    settings.ZHIFA_LEDGER_SIGNATURE = "sm2"
    pub = published_row(a)
    sign()
    bundle = bundle_of(client, pub)
    assert bundle["checkpoint"]["key_algorithm"] == "sm2"
    verify_bundle(bundle, pub)
    assert "-digest sm3 -pkeyopt distid:1234567812345678" in bundle["commands"]
    html = client.get(f"/portal/publications/{pub.public_id}/").content.decode()
    assert '<dd class="mono" id="proof-key-algorithm">sm2</dd>' in html
    assert 'id="proof-server-verified"><span class="badge badge-ok">' in html
