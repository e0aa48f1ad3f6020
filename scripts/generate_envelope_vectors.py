#!/usr/bin/env python3
"""Generate tests/fixtures/envelope_vectors.json from docs/ENVELOPE.md, independently of blue_tui.

This is the reference side of the envelope's conformance test: it builds every AAD,
KEK, wrap and payload from the specification with `struct`, `hashlib`, `zlib` and
`cryptography` directly, never importing blue_tui. The tests check the product's
code against its output, and check that running it again reproduces the committed
file byte for byte.

    python scripts/generate_envelope_vectors.py            # print to stdout
    python scripts/generate_envelope_vectors.py --write    # rewrite the fixture
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import zlib
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TARGET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "envelope_vectors.json"


def lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def item_aad(table: str, dialogue: str, entity_type: str, subkey: str, key_id: str) -> bytes:
    return b"BLUE" + bytes([1]) + lp(table) + lp(dialogue) + lp(entity_type) + lp(subkey) + lp(key_id)


def body(payload: object) -> bytes:
    plain = canonical(payload)
    if len(plain) > 4096:
        packed = zlib.compress(plain, 6)
        if len(packed) < len(plain):
            return b"\x01" + packed
    return b"\x00" + plain


ITEMS = [
    {
        "name": "perspective",
        "table": "blue_dialogues",
        "dialogue_id": "nvidia-analysis",
        "sk": "perspective#g000001#01#02",
        "key_id": "dek#nvidia-analysis#v1",
        "payload": {
            "array": "perspectives",
            "pos": 0,
            "keys": ["id", "label"],
            "data": {"id": "P0102", "label": "Income mandate"},
        },
    },
    {
        "name": "unicode-and-empty-subkey",
        "table": "blue_dialogues",
        "dialogue_id": "local-prod-parity",
        "sk": "manifest",
        "key_id": "dek#local-prod-parity#v3",
        "payload": {"gen": 4, "summary": {"title": "Parité locale ⇄ prod 🧁"}},
    },
    {
        "name": "compressed",
        "table": "tbl",
        "dialogue_id": "d",
        "sk": "round#g000002#00",
        "key_id": "dek#d#v1",
        "payload": {"data": {"text": "The panel converged. " * 400}},
    },
    {
        # Two different field lists whose raw concatenation is identical must differ.
        "name": "no-concatenation-ambiguity",
        "table": "tab",
        "dialogue_id": "cd",
        "sk": "x#y",
        "key_id": "k",
        "payload": {},
    },
    {
        "name": "no-concatenation-ambiguity-2",
        "table": "tabc",
        "dialogue_id": "d",
        "sk": "x#y",
        "key_id": "k",
        "payload": {},
    },
]


def generate() -> dict[str, object]:
    dek = bytes(range(32))
    out_items = []
    for n, case in enumerate(ITEMS):
        entity_type, _, subkey = str(case["sk"]).partition("#")
        aad = item_aad(str(case["table"]), str(case["dialogue_id"]), entity_type, subkey, str(case["key_id"]))
        nonce = bytes([n]) * 12
        plain = body(case["payload"])
        sealed = AESGCM(dek).encrypt(nonce, plain, aad)
        out_items.append(
            {
                **case,
                "dek": dek.hex(),
                "entity_type": entity_type,
                "subkey": subkey,
                "aad": aad.hex(),
                "nonce": nonce.hex(),
                "plaintext_body": plain.hex(),
                "content_encrypted": sealed.hex(),
                "digest": hashlib.sha256(nonce + sealed).hexdigest(),
            }
        )

    umk = bytes([0x42]) * 32
    keks = []
    for user, version in (("alice@example.com", 1), ("alice@example.com", 2), ("bob@example.com", 1)):
        info = b"blue.kek" + lp(user) + lp(str(version))
        kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(umk)
        keks.append(
            {"umk": umk.hex(), "user": user, "version": version, "info": info.hex(), "kek": kek.hex()}
        )

    fingerprint = hashlib.sha256(b"blue.umk.fingerprint" + umk).hexdigest()[:16]
    kek_id = f"local:{fingerprint}/kek:alice@example.com:v1"
    wrap_aad = (
        b"BLUE-DEK" + bytes([1]) + lp(kek_id) + lp("alice@example.com") + lp("nvidia-analysis") + lp("1")
    )
    wrap_nonce = bytes([0xA5]) * 12
    kek = bytes.fromhex(keks[0]["kek"])  # type: ignore[arg-type]
    wrapped = bytes([1]) + wrap_nonce + AESGCM(kek).encrypt(wrap_nonce, dek, wrap_aad)
    wrap = {
        "umk_fingerprint": fingerprint,
        "kek_id": kek_id,
        "user": "alice@example.com",
        "dialogue_id": "nvidia-analysis",
        "key_version": 1,
        "dek": dek.hex(),
        "aad": wrap_aad.hex(),
        "blob": wrapped.hex(),
    }

    event = {
        "seq": 0,
        "event_id": "01890a5d-ac96-774b-bcce-b302099a8057",
        "timestamp": "2026-02-26T13:51:56.000Z",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "span_id": "00f067aa0ba902b7",
        "operation": "import",
        "key_id": "dek#nvidia-analysis#v1",
        "principal": "alice@example.com",
        "outcome": "success",
        "previous_hash": "0" * 64,
        "subject": "nvidia-analysis",
        "detail": {"generation": 1, "items": 12, "status": "created"},
    }
    audit = {"event": event, "event_hash": hashlib.sha256(canonical(event)).hexdigest()}

    return {
        "spec": "docs/ENVELOPE.md",
        "format_version": 1,
        "items": out_items,
        "kek": keks,
        "wrap": wrap,
        "audit": audit,
    }


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help=f"write {TARGET.name} instead of printing")
    args = parser.parse_args()
    text = render()
    if args.write:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET} (sha256 {hashlib.sha256(text.encode()).hexdigest()})")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
