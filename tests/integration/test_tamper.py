"""The tamper matrix, against the real table: every change an attacker with write access to the
table can make is detected, and the message names the dialogue and the item."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.errors import IntegrityError, KeyChanged
from blue_tui.core.store import table as tbl
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sources import ParsedDialogue

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"
DID = "local-prod-parity"


def load() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def items(settings: Settings, dialogue_id: str = DID) -> list[dict[str, Any]]:
    return [i for page in tbl.query_partition(settings, pk_for(dialogue_id)) for i in page]


def put(settings: Settings, item: dict[str, Any]) -> None:
    dynamodb_client(settings).put_item(TableName=settings.table, Item=item)


def delete(settings: Settings, item: dict[str, Any]) -> None:
    dynamodb_client(settings).delete_item(TableName=settings.table, Key={"PK": item["PK"], "SK": item["SK"]})


def find(settings: Settings, prefix: str, dialogue_id: str = DID) -> dict[str, Any]:
    return next(i for i in items(settings, dialogue_id) if i["SK"]["S"].startswith(prefix))


def flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


@pytest.fixture
def stored(settings: Settings) -> DialogueStore:
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue(str(FIXTURE), load()))
    other = load()
    other["id"] = "other-dialogue"
    store.import_dialogue(ParsedDialogue("other.json", other))
    assert store.verify().ok
    return store


def tamper_ciphertext(s: Settings) -> str:
    item = find(s, "perspective#")
    item["content_encrypted"]["B"] = flip(item["content_encrypted"]["B"], 3)
    put(s, item)
    return item["SK"]["S"]


def tamper_tag(s: Settings) -> str:
    item = find(s, "tension#")
    item["content_encrypted"]["B"] = flip(item["content_encrypted"]["B"], -1)  # the last 16 bytes are the tag
    put(s, item)
    return item["SK"]["S"]


def tamper_nonce(s: Settings) -> str:
    item = find(s, "expert#")
    item["content_nonce"]["B"] = flip(item["content_nonce"]["B"], 0)
    put(s, item)
    return item["SK"]["S"]


def swap_across_sk(s: Settings) -> str:
    a, b = [i for i in items(s) if i["SK"]["S"].startswith("perspective#")][:2]
    for name in ("content_encrypted", "content_nonce"):
        a[name], b[name] = b[name], a[name]
    put(s, a)
    put(s, b)
    return a["SK"]["S"]


def swap_across_pk(s: Settings) -> str:
    mine = find(s, "recommendation#")
    theirs = next(i for i in items(s, "other-dialogue") if i["SK"]["S"] == mine["SK"]["S"])
    for name in ("content_encrypted", "content_nonce", "key_id"):
        mine[name] = theirs[name]
    put(s, mine)
    return mine["SK"]["S"]


def delete_item(s: Settings) -> str:
    item = (
        find(s, "claim#") if any(i["SK"]["S"].startswith("claim#") for i in items(s)) else find(s, "verdict#")
    )
    delete(s, item)
    return item["SK"]["S"]


def add_item(s: Settings) -> str:
    item = copy.deepcopy(find(s, "perspective#"))
    item["SK"]["S"] = item["SK"]["S"].rsplit("#", 1)[0] + "#99"
    put(s, item)
    return item["SK"]["S"]


def alter_cleartext(s: Settings) -> str:
    item = next(i for i in items(s) if i["SK"]["S"].startswith("perspective#") and i["status"]["S"] == "open")
    item["status"] = {"S": "merged"}
    put(s, item)
    return item["SK"]["S"]


def alter_key_id(s: Settings) -> str:
    item = find(s, "round#")
    item["key_id"] = {"S": "dek#local-prod-parity#v9"}
    put(s, item)
    return item["SK"]["S"]


def tamper_manifest(s: Settings) -> str:
    item = find(s, "manifest")
    item["content_encrypted"]["B"] = flip(item["content_encrypted"]["B"], 5)
    put(s, item)
    return "manifest"


def tamper_wrapped_dek(s: Settings) -> str:
    item = find(s, "dek#v1")
    item["wrapped"]["B"] = flip(item["wrapped"]["B"], 20)
    put(s, item)
    return "dek#v1"


CASES: dict[str, tuple[Callable[[Settings], str], str]] = {
    "flipped ciphertext bit": (tamper_ciphertext, "tampered"),
    "flipped tag bit": (tamper_tag, "tampered"),
    "flipped nonce bit": (tamper_nonce, "tampered"),
    "swapped across SK": (swap_across_sk, "swapped"),
    "swapped across PK": (swap_across_pk, "tampered"),
    "deleted item": (delete_item, "missing"),
    "added item": (add_item, "added"),
    "cleartext status altered": (alter_cleartext, "cleartext-mismatch"),
    "key id altered": (alter_key_id, "tampered"),
    "manifest altered": (tamper_manifest, "tampered"),
    "wrapped data key altered": (tamper_wrapped_dek, "tampered"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_tamper_is_detected_and_named(
    stored: DialogueStore, settings: Settings, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    action, kind = CASES[case]
    store = DialogueStore(settings)  # fresh: no cached keys or results
    sk = action(settings)

    with pytest.raises(IntegrityError) as err:
        store.open(DID)
    assert DID in err.value.message and sk in err.value.message
    report = store.verify(DID)
    assert not report.ok
    assert any(p.sk == sk and p.kind == kind and p.dialogue_id == DID for p in report.problems), (
        report.problems
    )
    # The other dialogue is untouched and still opens.
    assert store.open("other-dialogue").document["id"] == "other-dialogue"

    capsys.readouterr()
    assert main(["dialogue", "verify", DID, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert {"id": DID, "sk": sk, "kind": kind} in [
        {k: p[k] for k in ("id", "sk", "kind")} for p in out["problems"]
    ]
    assert main(["dialogue", "show", DID]) == 1
    err_text = capsys.readouterr().err
    assert DID in err_text and sk in err_text and "Traceback" not in err_text


def test_rolled_back_manifest_is_detected(stored: DialogueStore, settings: Settings) -> None:
    """The whole dialogue restored to an older, internally consistent version."""
    old = items(settings)
    changed = load()
    changed["status"] = "abandoned"
    stored.import_dialogue(ParsedDialogue("v2.json", changed), replace=True)
    for item in items(settings):
        delete(settings, item)
    for item in old:
        put(settings, item)
    store = DialogueStore(settings)
    with pytest.raises(IntegrityError, match=r"audit log recorded generation 2"):
        store.open(DID)
    problems = store.verify(DID).problems
    assert [(p.sk, p.kind) for p in problems] == [("manifest", "rolled-back")]


def test_an_item_rolled_back_to_an_older_ciphertext_is_detected(
    stored: DialogueStore, settings: Settings
) -> None:
    old = {i["SK"]["S"].split("#", 2)[2]: i for i in items(settings) if i["SK"]["S"].startswith("tension#")}
    changed = load()
    changed["tensions"][0]["status"] = "open"
    stored.import_dialogue(ParsedDialogue("v2.json", changed), replace=True)
    current = next(i for i in items(settings) if i["SK"]["S"].startswith("tension#g000002#00#01"))
    previous = old["00#01"]
    current["content_encrypted"], current["content_nonce"] = (
        previous["content_encrypted"],
        previous["content_nonce"],
    )
    put(settings, current)
    problems = DialogueStore(settings).verify(DID).problems
    assert [(p.sk, p.kind) for p in problems] == [(current["SK"]["S"], "tampered")]


def test_wrong_umk_is_key_changed_not_tampering(stored: DialogueStore, settings: Settings) -> None:
    Path(settings.umk_path).write_bytes(bytes(32))
    with pytest.raises(KeyChanged) as err:
        DialogueStore(settings).open(DID)
    assert DID in err.value.message
