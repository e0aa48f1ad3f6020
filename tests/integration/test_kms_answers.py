"""A KMS endpoint that lies about the key it used: the store must check the KeyId KMS answers with.

moto always answers with the key it was asked for, so these tests put a loopback proxy in
front of moto's server. Every request reaches the real moto and every answer comes back
from it; the proxy only rewrites the ``KeyId`` of Decrypt (and GenerateDataKey) answers to
another key's ARN, as a compromised or misrouted endpoint would. The configured key is
the only key the store may trust: such an answer is refused, naming the item, and the
data key that came with it is never used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from blue_tui.cli import main
from blue_tui.core.config import Settings
from blue_tui.core.errors import DialogueNotFound, IntegrityError, KmsError
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sources import ParsedDialogue
from tests.integration.loopback_proxy import Exchange, LoopbackProxy

DID = "local-prod-parity"
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def kms(endpoint: str) -> Any:
    return boto3.client(
        "kms",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


class LyingKms:
    """Rewrites the KeyId of the named operations' answers to ``other_arn``."""

    def __init__(self, operations: set[str], other_arn: str) -> None:
        self.operations = operations
        self.other_arn = other_arn
        self.rewritten: list[str] = []

    def __call__(self, exchange: Exchange, answered: bool) -> None:
        operation = exchange.target.removeprefix("TrentService.")
        if not answered or operation not in self.operations or exchange.status != 200:
            return
        answer = json.loads(exchange.body)
        answer["KeyId"] = self.other_arn
        exchange.body = json.dumps(answer).encode()
        self.rewritten.append(operation)


@pytest.fixture
def other_key(kms_endpoint: str) -> str:
    """Another key on the same KMS: what the lying endpoint claims it used."""
    return str(kms(kms_endpoint).create_key(Description="someone else's key")["KeyMetadata"]["Arn"])


@pytest.fixture
def lying_kms(
    kms_env: dict[str, str], kms_endpoint: str, other_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[dict[str, str], LyingKms, LoopbackProxy]]:
    """The environment switched to a KMS endpoint (the proxy) whose answers name ``other_key``;
    which operations it lies about is set per test (none at first)."""
    liar = LyingKms(set(), other_key)
    with LoopbackProxy(kms_endpoint, liar).running() as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", proxy.url)
        yield {**kms_env, "AWS_ENDPOINT_URL_KMS": proxy.url}, liar, proxy


def partition(settings: Settings, dialogue_id: str) -> list[dict[str, Any]]:
    return [item for page in tbl.query_partition(settings, pk_for(dialogue_id)) for item in page]


def test_a_decrypt_answer_naming_another_key_is_refused(
    kms_env: dict[str, str],
    lying_kms: tuple[dict[str, str], LyingKms, LoopbackProxy],
    other_key: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = json.loads(SAMPLE.read_text())
    DialogueStore(Settings.from_env(kms_env)).import_dialogue(ParsedDialogue(str(SAMPLE), doc))

    env, liar, proxy = lying_kms
    liar.operations = {"Decrypt"}
    settings = Settings.from_env(env)
    store = DialogueStore(settings)  # its own DEK cache: the data key must come from KMS again
    with pytest.raises(IntegrityError) as err:
        store.open(DID)
    assert liar.rewritten == ["Decrypt"], "KMS was asked, and answered with the other key's id"
    problem = err.value.problems[0]
    assert (problem.dialogue_id, problem.sk, problem.kind) == (DID, "dek#v1", "foreign-key")
    message = err.value.message
    assert DID in message and "dek#v1" in message and other_key in message
    assert "not the configured key" in message

    report = store.verify(DID)
    assert ("dek#v1", "foreign-key") in [(p.sk, p.kind) for p in report.problems]

    # The same through the CLI: one clear message, no traceback, and no text of the dialogue.
    capsys.readouterr()
    assert main(["dialogue", "show", DID]) == 1
    shown = capsys.readouterr()
    assert doc["question"][:40] not in shown.out and doc["title"] not in shown.out
    assert DID in shown.err and "dek#v1" in shown.err and "Traceback" not in shown.err

    # Honest answers from the same endpoint open the dialogue again: the refusal was the KeyId.
    liar.operations = set()
    assert DialogueStore(settings).open(DID).document == doc
    assert "TrentService.Decrypt" in proxy.seen


def test_a_data_key_generated_under_another_key_is_never_used(
    lying_kms: tuple[dict[str, str], LyingKms, LoopbackProxy], other_key: str
) -> None:
    env, liar, _ = lying_kms
    liar.operations = {"GenerateDataKey"}
    settings = Settings.from_env(env)
    doc = json.loads(SAMPLE.read_text())
    with pytest.raises(KmsError) as err:
        DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), doc))
    assert liar.rewritten == ["GenerateDataKey"]
    assert DID in err.value.message and other_key in err.value.message
    assert "not the configured key" in err.value.message

    # Nothing was sealed under that key: no data key item, no entity, no commit, no import event.
    stored = partition(settings, DID)
    assert [i["SK"]["S"] for i in stored if i["SK"]["S"] != "manifest"] == []
    assert all("gen" not in i and "content_encrypted" not in i for i in stored)
    assert [e.operation for e in AuditLog(settings).events()] == []
    with pytest.raises(DialogueNotFound):
        DialogueStore(settings).open(DID)

    # Honest answers: the import goes through, under the configured key.
    liar.operations = set()
    result = DialogueStore(settings).import_dialogue(ParsedDialogue(str(SAMPLE), doc))
    assert result.status == "created"
    assert DialogueStore(settings).open(DID).document == doc
