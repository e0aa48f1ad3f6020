"""Property tests: sealing round-trips, AADs never collide, documents survive split + assemble."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.keys import DekHandle
from blue_tui.core.store.entities import assemble, split_document

names = st.text(min_size=0, max_size=40)
fields = st.tuples(names, names, names, names, names)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def aad(parts: tuple[str, str, str, str, str]) -> bytes:
    table, dialogue, entity_type, subkey, key_id = parts
    return envelope.build_aad(
        table=table, dialogue_id=dialogue, entity_type=entity_type, subkey=subkey, key_id=key_id
    )


@given(st.binary(max_size=2048), fields)
@settings(max_examples=200)
def test_seal_open_round_trip(plaintext: bytes, parts: tuple[str, str, str, str, str]) -> None:
    dek = DekHandle("dek#x#v1", bytes(32))
    dek.reserve(1)
    nonce, sealed = dek.seal(plaintext, aad(parts))
    assert len(nonce) == 12 and len(sealed) == len(plaintext) + 16
    assert dek.open(nonce, sealed, aad(parts)) == plaintext


@given(fields, fields)
@settings(max_examples=300)
def test_distinct_addresses_give_distinct_aads(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    if a != b:
        assert aad(a) != aad(b)  # type: ignore[arg-type]


@given(st.binary(min_size=1, max_size=64), fields, st.integers(min_value=0))
@settings(max_examples=100)
def test_any_flipped_bit_is_refused(
    plaintext: bytes, parts: tuple[str, str, str, str, str], where: int
) -> None:
    dek = DekHandle("dek#x#v1", bytes(range(32)))
    dek.reserve(1)
    nonce, sealed = dek.seal(plaintext, aad(parts))
    blob = bytearray(nonce + sealed)
    bit = where % (len(blob) * 8)
    blob[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidTag):
        dek.open(bytes(blob[:12]), bytes(blob[12:]), aad(parts))


def test_seal_refuses_without_reserved_budget() -> None:
    from blue_tui.core.errors import DekExhausted

    dek = DekHandle("dek#x#v1", bytes(32))
    dek.reserve(2)
    dek.seal(b"a", b"")
    dek.seal(b"b", b"")
    with pytest.raises(DekExhausted, match=r"2\^32|4294967296"):
        dek.seal(b"c", b"")


document_members = st.dictionaries(
    st.sampled_from(["id", "label", "status", "events", "supports", "x"]), json_values
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=10),
        "title": st.text(max_size=20),
        "experts": st.lists(
            st.dictionaries(st.sampled_from(["slug", "role", "scores"]), json_values), max_size=3
        ),
        "rounds_data": st.lists(json_values, max_size=3),
        "perspectives": st.lists(document_members | json_values, max_size=4),
        "tensions": st.lists(document_members, max_size=3),
        "verdicts": st.lists(document_members, max_size=2),
        "refs": json_values,
        "other": json_values,
    },
)


@given(documents)
@settings(max_examples=300)
def test_split_and_assemble_round_trip(doc: dict[str, Any]) -> None:
    entities = split_document(doc)
    # Every entity goes through the body encoding the store applies.
    for entity in entities:
        entity.payload = envelope.decode_body(envelope.encode_body(entity.payload))
    rebuilt = assemble(reversed(entities))
    assert rebuilt == doc
    assert list(rebuilt) == list(doc)


def test_nonces_are_fresh_across_many_seals_and_keys() -> None:
    seen: set[bytes] = set()
    for _ in range(3):
        dek = DekHandle("dek#x#v1", bytes(32))
        dek.reserve(20_000)
        for _ in range(20_000):
            nonce, _ = dek.seal(b"x", b"")
            assert len(nonce) == 12
            seen.add(nonce)
    assert len(seen) == 60_000


hard_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats()  # NaN and infinities too
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@given(hard_values)
@settings(max_examples=400)
def test_bodies_decode_to_the_same_values(value: Any) -> None:
    from blue_tui.core.crypto.envelope import decode_body, encode_body

    decoded = decode_body(encode_body({"v": value}))["v"]
    # json.dumps with sorted keys: NaN equals NaN, ints and floats stay apart, key order aside.
    assert json.dumps(decoded, sort_keys=True) == json.dumps(value, sort_keys=True)
