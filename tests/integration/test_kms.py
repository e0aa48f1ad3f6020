"""AwsKmsKeyProvider against moto's KMS server on loopback: the same boto3 code as production.

Negative tests here rely only on what real KMS also does (a modified blob, another
encryption context value, a missing key); none depends on moto's known gaps
(ambiguous EncryptionContext serialization, disabled keys that still decrypt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from blue_tui.cli import main
from blue_tui.core.aws import dynamodb_client, kms_client
from blue_tui.core.config import Settings
from blue_tui.core.crypto.keys import DekContext, WrappedDek
from blue_tui.core.crypto.kms_provider import AwsKmsKeyProvider
from blue_tui.core.errors import ConfigError, IntegrityError, KmsError, KmsUnreachable
from blue_tui.core.store import table as tbl
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sources import ParsedDialogue
from tests.conftest import free_port

DID = "local-prod-parity"
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def kms_calls(settings: Settings) -> list[str]:
    """Record every KMS API call the provider's client makes (moto has no call metering)."""
    calls: list[str] = []
    kms_client(settings).meta.events.register(
        "before-call.kms.*", lambda model, **_: calls.append(model.name), unique_id=f"count-{id(calls)}"
    )
    return calls


def test_store_round_trip_with_kms(kms_env: dict[str, str]) -> None:
    settings = Settings.from_env(kms_env)
    calls = kms_calls(settings)
    doc = json.loads(SAMPLE.read_text())
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue(str(SAMPLE), doc))
    # The alias is resolved once (DescribeKey), then only its ARN is used.
    assert calls == ["DescribeKey", "GenerateDataKey"]

    fresh = DialogueStore(settings)
    assert fresh.open("local-prod-parity").document == doc
    fresh.open("local-prod-parity")
    fresh.list_dialogues()
    # Unwrapped once, then served from the cache (TTL + use limit).
    assert calls == ["DescribeKey", "GenerateDataKey", "Decrypt"]

    dek_item = next(
        i
        for page in tbl.query_partition(settings, pk_for("local-prod-parity"))
        for i in page
        if i["SK"]["S"] == "dek#v1"
    )
    assert dek_item["provider"]["S"] == "kms" and dek_item["kek_id"]["S"].startswith("kms:arn:aws:kms:")
    assert kms_env["_KMS_KEY_ID"] in dek_item["kek_id"]["S"]


def test_the_encryption_context_binds_user_dialogue_and_version(kms_env: dict[str, str]) -> None:
    settings = Settings.from_env(kms_env)
    provider = AwsKmsKeyProvider(settings)
    kek = provider.derive_kek(provider.get_umk(), "tester@example.com")
    context = DekContext("tester@example.com", "d1", 1)
    dek, wrapped = provider.generate_dek(kek, context)
    again = provider.decrypt_dek(kek, wrapped, context)
    dek.reserve(1)
    nonce, sealed = dek.seal(b"payload", b"aad")
    assert again.open(nonce, sealed, b"aad") == b"payload"

    with pytest.raises(IntegrityError) as err:
        provider.decrypt_dek(kek, wrapped, DekContext("tester@example.com", "d2", 1))
    assert err.value.problems[0].dialogue_id == "d2" and "KMS rejected" in err.value.problems[0].message
    with pytest.raises(IntegrityError):
        provider.decrypt_dek(kek, wrapped, DekContext("tester@example.com", "d1", 2))
    blob = bytearray(wrapped.blob)
    blob[-1] ^= 1
    with pytest.raises(IntegrityError):
        provider.decrypt_dek(kek, WrappedDek("kms", wrapped.kek_id, bytes(blob)), context)


def test_tampered_wrapped_key_in_the_table_is_named(
    kms_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_env(kms_env)
    DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), json.loads(SAMPLE.read_text())))
    client = dynamodb_client(settings)
    item: dict[str, Any] = client.get_item(
        TableName=settings.table, Key={"PK": {"S": pk_for("local-prod-parity")}, "SK": {"S": "dek#v1"}}
    )["Item"]
    blob = bytearray(item["wrapped"]["B"])
    blob[-3] ^= 0x40
    item["wrapped"]["B"] = bytes(blob)
    client.put_item(TableName=settings.table, Item=item)
    assert main(["dialogue", "show", "local-prod-parity"]) == 1
    err = capsys.readouterr().err
    assert "local-prod-parity" in err and "dek#v1" in err and "Traceback" not in err


def test_kms_problems_are_clear_messages(
    kms_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLUE_KMS_KEY_ID", "alias/does-not-exist")
    assert main(["dialogue", "import", str(SAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "alias/does-not-exist" in err and "Traceback" not in err

    monkeypatch.delenv("BLUE_KMS_KEY_ID")
    with pytest.raises(ConfigError, match="BLUE_KMS_KEY_ID"):
        AwsKmsKeyProvider(Settings.from_env())

    monkeypatch.setenv("BLUE_KMS_KEY_ID", "alias/x")
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", f"http://127.0.0.1:{free_port()}")
    provider = AwsKmsKeyProvider(Settings.from_env())
    kek = provider.derive_kek(provider.get_umk(), "u")
    with pytest.raises(KmsUnreachable, match=r"cannot reach KMS at http://127\.0\.0\.1:"):
        provider.generate_dek(kek, DekContext("u", "d", 1))


def test_keys_status_with_kms(kms_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["provider"] == "kms" and info["ok"] is True and info["key_state"] == "Enabled"
    assert kms_env["_KMS_KEY_ID"] in info["key_id"]
    # The local reset is never offered for KMS-protected data.
    assert main(["keys", "reset", "--yes"]) == 1
    assert "only the local key provider" in capsys.readouterr().err


def test_denied_decrypt_is_a_kms_error_not_tampering(kms_env: dict[str, str]) -> None:
    """A DEK wrapped under one KMS key, read with another configured: KMS refuses; we say so."""
    settings = Settings.from_env(kms_env)
    provider = AwsKmsKeyProvider(settings)
    kek = provider.derive_kek(provider.get_umk(), "u")
    _, wrapped = provider.generate_dek(kek, DekContext("u", "d", 1))
    forged = WrappedDek(
        "kms", "kms:arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000", wrapped.blob
    )
    with pytest.raises((KmsError, IntegrityError)):
        provider.decrypt_dek(kek, forged, DekContext("u", "d", 1))


def test_a_dialogue_recreated_under_another_kms_key_is_refused(
    kms_env: dict[str, str], kms_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The swap: someone with write access to the table deletes a dialogue and re-creates it
    under a KMS key of their own, as the victim's BLUE_USER. The victim must neither read their
    text nor seal the next version under their data key."""
    settings = Settings.from_env(kms_env)
    doc = json.loads(SAMPLE.read_text())
    DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), doc))

    kms = boto3.client(
        "kms",
        endpoint_url=kms_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    theirs = kms.create_key(Description="attacker")["KeyMetadata"]
    attacker = Settings.from_env(
        {**kms_env, "BLUE_KMS_KEY_ID": theirs["KeyId"], "BLUE_HOME": str(tmp_path / "attacker")}
    )
    client = dynamodb_client(settings)
    for item in tbl.query_partition(settings, pk_for(DID), keys_only=True):
        for key in item:
            client.delete_item(TableName=settings.table, Key=key)
    forged = dict(doc, question="Send the design review to mallory@example.com.")
    DialogueStore(attacker).import_dialogue(ParsedDialogue("forged.json", forged))

    store = DialogueStore(settings)
    with pytest.raises(IntegrityError) as err:
        store.open(DID)
    assert DID in err.value.message and "dek#v1" in err.value.message
    assert theirs["Arn"] in err.value.message and "not the configured key" in err.value.message
    report = store.verify(DID)
    assert [(p.sk, p.kind) for p in report.problems] == [("dek#v1", "foreign-key")]

    # The victim's next version is not sealed under the attacker's data key: refused, nothing written.
    before = [i for page in tbl.query_partition(settings, pk_for(DID)) for i in page]
    mine = dict(doc, status="abandoned")
    with pytest.raises(IntegrityError, match="not the configured key"):
        store.import_dialogue(ParsedDialogue("mine.json", mine), replace=True)
    assert [i for page in tbl.query_partition(settings, pk_for(DID)) for i in page] == before

    capsys.readouterr()
    assert main(["dialogue", "show", DID]) == 1
    shown = capsys.readouterr()
    assert "mallory" not in shown.out and "dek#v1" in shown.err and "Traceback" not in shown.err
    assert main(["dialogue", "verify", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {"id": DID, "sk": "dek#v1", "kind": "foreign-key"} in [
        {k: p[k] for k in ("id", "sk", "kind")} for p in problems
    ]
