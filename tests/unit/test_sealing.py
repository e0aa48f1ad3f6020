"""Sealing a generation's items for many entities at once (no I/O).

The batch path builds what items share once; it must give exactly the items, addresses,
cleartext copies and manifest entries that sealing one item at a time gives, and the
content digest fed run by run must be docs/ENVELOPE.md section 5's formula, computed
here from the text of the spec.
"""

from __future__ import annotations

import hashlib
import os
import struct

import pytest
from cryptography.exceptions import InvalidTag

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.keys import DekHandle
from blue_tui.core.store.entities import Entity, split_document
from blue_tui.core.store.sealing import ContentDigest, Sealer, content_digest, page_count, split_sk

DOC = {
    "id": "d1",
    "title": "Sealing",
    "status": "converging",
    "experts": [{"slug": "muffin", "name": "Muffin"}],
    "rounds_data": [{"round": 0, "status": "open", "text": "long " * 2000}],
    "perspectives": [
        {"id": f"P01{n:02d}", "label": f"p{n}", "status": "open", "events": [{"type": "created", "round": 1}]}
        for n in range(30)
    ],
    "tensions": [{"id": "T0101", "label": "t", "status": "resolved", "supports": ["P0101"]}],
}


def lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def spec_digest(entities: list[Entity], bodies: list[bytes]) -> str:
    """SHA-256 of "blue.content.v1" then lp(entity_type) || lp(subkey) || lp(body) for every entity."""
    data = b"blue.content.v1" + b"".join(
        lp(e.entity_type.encode()) + lp(e.subkey.encode()) + lp(body)
        for e, body in zip(entities, bodies, strict=True)
    )
    return hashlib.sha256(data).hexdigest()


def dek() -> DekHandle:
    handle = DekHandle("dek#d1#v1", os.urandom(32))
    handle.reserve(10_000)
    return handle


def test_the_content_digest_is_the_spec_formula_whole_or_run_by_run() -> None:
    entities = split_document(DOC)
    bodies = [envelope.encode_body(e.payload) for e in entities]
    expected = spec_digest(entities, bodies)
    assert content_digest(entities, bodies) == expected
    runs = ContentDigest()
    for start in range(0, len(entities), 7):
        runs.update(entities[start : start + 7], bodies[start : start + 7])
    assert runs.hexdigest() == expected
    assert content_digest(entities[1:], bodies[1:]) != expected


def test_sealing_many_items_equals_sealing_each() -> None:
    entities = split_document(DOC)
    bodies = [envelope.encode_body(e.payload) for e in entities]
    sealer, key = Sealer("blue_dialogues", "d1"), dek()
    items, entries = sealer.seal_entities(key, 3, entities, bodies)
    assert len(items) == len(entries) == len(entities)
    for entity, item, entry in zip(entities, items, entries, strict=True):
        sk = f"{entity.entity_type}#g000003#{entity.subkey}"
        one = sealer.seal(key, sk, entity.payload, entity.cleartext())
        assert {k: v for k, v in item.items() if not k.startswith("content_")} == {
            k: v for k, v in one.items() if not k.startswith("content_")
        }
        assert entry == [sk, envelope.item_digest(item["content_nonce"]["B"], item["content_encrypted"]["B"])]
        # Bound to its address: it opens there, and nowhere else.
        assert sealer.unseal(key, item) == entity.payload
        moved = dict(item, SK={"S": sk.replace("#g000003#", "#g000004#")})
        with pytest.raises(InvalidTag):
            sealer.unseal(key, moved)
    assert key.encrypted == 2 * len(entities)
    assert len({bytes(i["content_nonce"]["B"]) for i in items}) == len(items)


def test_a_manifest_page_lists_its_entries() -> None:
    sealer, key = Sealer("blue_dialogues", "d1"), dek()
    entries = [[f"perspective#g000002#01#{n:02d}", "ab" * 32] for n in range(3)]
    page = sealer.seal_page(key, 2, 0, entries)
    assert split_sk(page["SK"]["S"]) == ("manifest", "g000002#p0000")
    assert sealer.unseal(key, page) == {"gen": 2, "page": 0, "entries": entries}
    assert page_count(1500) == 1 and page_count(1501) == 2 and page_count(0) == 0
