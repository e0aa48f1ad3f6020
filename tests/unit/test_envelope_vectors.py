"""The envelope format (docs/ENVELOPE.md) against vectors made by an independent reference script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.audit import AuditEvent
from blue_tui.core.crypto.keys import DekContext, DekHandle, KekHandle, WrappedDek
from blue_tui.core.crypto.local_provider import LocalFileKeyProvider, derive_kek_bytes, fingerprint, wrap_aad
from blue_tui.core.store.sealing import Sealer

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "fixtures" / "envelope_vectors.json").read_text())


def test_reference_script_reproduces_the_committed_vectors() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_envelope_vectors.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == (ROOT / "tests" / "fixtures" / "envelope_vectors.json").read_text()


@pytest.mark.parametrize("case", VECTORS["items"], ids=lambda c: c["name"])
def test_item_vectors(case: dict[str, str]) -> None:
    aad = envelope.build_aad(
        table=case["table"],
        dialogue_id=case["dialogue_id"],
        entity_type=case["entity_type"],
        subkey=case["subkey"],
        key_id=case["key_id"],
    )
    assert aad.hex() == case["aad"]
    dek = DekHandle(case["key_id"], bytes.fromhex(case["dek"]))
    nonce, sealed = bytes.fromhex(case["nonce"]), bytes.fromhex(case["content_encrypted"])
    assert dek.open(nonce, sealed, aad).hex() == case["plaintext_body"]
    assert envelope.item_digest(nonce, sealed) == case["digest"]
    # The store reads the vector as an item and gets the payload back.
    item = {
        "SK": {"S": case["sk"]},
        "key_id": {"S": case["key_id"]},
        "content_nonce": {"B": nonce},
        "content_encrypted": {"B": sealed},
    }
    assert Sealer(case["table"], case["dialogue_id"]).unseal(dek, item) == case["payload"]


def test_aad_is_unambiguous() -> None:
    first, second = (c for c in VECTORS["items"] if c["name"].startswith("no-concatenation"))
    assert first["table"] + first["dialogue_id"] == second["table"] + second["dialogue_id"]
    assert first["aad"] != second["aad"]


@pytest.mark.parametrize("case", VECTORS["kek"], ids=lambda c: f"{c['user']}-v{c['version']}")
def test_kek_vectors(case: dict[str, str]) -> None:
    assert (
        derive_kek_bytes(bytes.fromhex(case["umk"]), case["user"], int(case["version"])).hex() == case["kek"]
    )


def test_wrap_vector_unwraps_through_the_local_provider(tmp_path: Path) -> None:
    wrap = VECTORS["wrap"]
    umk = bytes.fromhex(VECTORS["kek"][0]["umk"])
    assert fingerprint(umk) == wrap["umk_fingerprint"]
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    (keys / "umk.key").write_bytes(umk)
    (keys / "umk.key").chmod(0o600)
    provider = LocalFileKeyProvider(keys / "umk.key")
    kek = provider.derive_kek(provider.get_umk(), wrap["user"])
    assert isinstance(kek, KekHandle) and kek.key_id == wrap["kek_id"]
    context = DekContext(wrap["user"], wrap["dialogue_id"], wrap["key_version"])
    assert wrap_aad(wrap["kek_id"], context).hex() == wrap["aad"]
    dek = provider.decrypt_dek(kek, WrappedDek("local", wrap["kek_id"], bytes.fromhex(wrap["blob"])), context)
    case = VECTORS["items"][0]
    aad = bytes.fromhex(case["aad"])
    assert (
        dek.open(bytes.fromhex(case["nonce"]), bytes.fromhex(case["content_encrypted"]), aad).hex()
        == case["plaintext_body"]
    )


def test_audit_event_hash_vector() -> None:
    audit = VECTORS["audit"]
    event = AuditEvent(**audit["event"], event_hash=audit["event_hash"])
    assert event.computed_hash() == audit["event_hash"]
