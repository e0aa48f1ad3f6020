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
from blue_tui.core.crypto.audit import TraceContext
from blue_tui.core.errors import IntegrityError, KeyChanged
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sealing import root_digest
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


MARKER_SK = f"subject#{DID}"


def marker(settings: Settings) -> dict[str, Any]:
    item = tbl.get_item(settings, "audit#crypto", MARKER_SK)
    assert item is not None
    return item


def delete_marker(s: Settings) -> str:
    delete(s, marker(s))
    return MARKER_SK


def point_marker_elsewhere(s: Settings) -> str:
    """The marker names an event of the chain that did not commit this dialogue."""
    item = marker(s)
    first = tbl.get_item(s, "audit#crypto", "event#" + "0" * 20)
    assert first is not None
    item["seq"] = {"N": "0"}
    item["hash"] = {"S": json.loads(first["event"]["S"])["event_hash"]}
    put(s, item)
    return MARKER_SK


def hide_root_from_index(s: Settings) -> str:
    item = find(s, "manifest")
    del item["kind"]
    put(s, item)
    return "manifest"


def set_generation_counter_back(s: Settings) -> str:
    item = find(s, "manifest")
    item["next_gen"] = {"N": "0"}
    put(s, item)
    return "manifest"


def alter_root_status(s: Settings) -> str:
    item = find(s, "manifest")
    item["status"] = {"S": "abandoned"}
    put(s, item)
    return "manifest"


def borrow_other_data_key(s: Settings) -> str:
    theirs = find(s, "dek#v1", "other-dialogue")
    theirs["PK"] = {"S": pk_for(DID)}
    put(s, theirs)
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
    "data key of another dialogue": (borrow_other_data_key, "tampered"),
    "audit marker deleted": (delete_marker, "missing"),
    "audit marker names another event": (point_marker_elsewhere, "tampered"),
    "root hidden from the index": (hide_root_from_index, "cleartext-mismatch"),
    "root status altered": (alter_root_status, "cleartext-mismatch"),
    "generation counter set back": (set_generation_counter_back, "cleartext-mismatch"),
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


# ---- whole-dialogue rollback and deletion (issue 10, items 2 and 4) ------------------------------


def restore(settings: Settings, old: list[dict[str, Any]]) -> None:
    """Put a saved partition back as it was: every current item out, every saved item in."""
    for item in items(settings):
        delete(settings, item)
    for item in old:
        put(settings, item)


def elsewhere(settings: Settings, tmp_path: Path) -> DialogueStore:
    """The same table and key, read from another machine: no local high-water mark."""
    return DialogueStore(Settings.from_env({**settings.env, "BLUE_HOME": str(tmp_path / "elsewhere")}), None)


def copy_key(settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "keys"
    target.mkdir(parents=True, mode=0o700)
    (target / "umk.key").write_bytes(Path(settings.umk_path).read_bytes())
    (target / "umk.key").chmod(0o600)


@pytest.fixture
def version_one(stored: DialogueStore, settings: Settings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Generation 1 as an attacker saved it (partition and marker), then generation 2 committed."""
    old, old_marker = items(settings), marker(settings)
    changed = load()
    changed["status"] = "abandoned"
    assert stored.import_dialogue(ParsedDialogue("v2.json", changed), replace=True).generation == 2
    return old, old_marker


def kinds(problems: list[Any]) -> set[tuple[str, str]]:
    return {(p.sk, p.kind) for p in problems}


def test_rollback_with_the_marker_deleted_is_detected(
    version_one: tuple[list[dict[str, Any]], dict[str, Any]], settings: Settings, tmp_path: Path
) -> None:
    old, _ = version_one
    restore(settings, old)
    delete_marker(settings)
    store = DialogueStore(settings)
    with pytest.raises(IntegrityError, match="this machine has seen generation 2"):
        store.open(DID)
    assert {(MARKER_SK, "missing"), ("manifest", "rolled-back")} <= kinds(store.verify(DID).problems)
    # Another machine has no local mark, but a committed dialogue without its marker is a finding.
    copy_key(settings, tmp_path)
    assert (MARKER_SK, "missing") in kinds(elsewhere(settings, tmp_path).verify(DID).problems)


def test_rollback_with_the_marker_set_back_is_detected(
    version_one: tuple[list[dict[str, Any]], dict[str, Any]], settings: Settings
) -> None:
    old, _ = version_one
    restore(settings, old)
    item = marker(settings)
    item["gen"] = {"N": "1"}
    put(settings, item)
    problems = DialogueStore(settings).verify(DID).problems
    assert {(MARKER_SK, "tampered"), ("manifest", "rolled-back")} <= kinds(problems)
    assert any("does not match the audit event" in p.message for p in problems)


def test_rollback_with_the_old_marker_restored_is_detected(
    version_one: tuple[list[dict[str, Any]], dict[str, Any]], settings: Settings, tmp_path: Path
) -> None:
    """Partition and marker both put back as they were: every record in the table agrees,
    except the audit chain's later commit; this machine's high-water mark disagrees too."""
    old, old_marker = version_one
    restore(settings, old)
    put(settings, old_marker)
    store = DialogueStore(settings)
    with pytest.raises(IntegrityError) as err:
        store.open(DID)
    assert "rolled back" in err.value.message and "manifest" in err.value.message
    assert kinds(store.verify(DID).problems) == {("manifest", "rolled-back")}
    # Another machine: verifying everything reads the chain, which recorded generation 2.
    copy_key(settings, tmp_path)
    report = elsewhere(settings, tmp_path).verify()
    assert not report.ok
    assert any(
        p.dialogue_id == DID and p.kind == "rolled-back" and "audit chain recorded generation 2" in p.message
        for p in report.problems
    ), report.problems


def test_a_generation_counter_set_back_is_never_reused(stored: DialogueStore, settings: Settings) -> None:
    changed = load()
    changed["status"] = "abandoned"
    stored.import_dialogue(ParsedDialogue("v2.json", changed), replace=True)
    root = find(settings, "manifest")
    root["next_gen"] = {"N": "0"}
    put(settings, root)
    changed["status"] = "converged again"
    result = DialogueStore(settings).import_dialogue(ParsedDialogue("v3.json", changed), replace=True)
    assert result.generation == 3
    store = DialogueStore(settings)
    assert store.open(DID).document["status"] == "converged again"
    assert store.verify().ok


def test_verify_of_everything_does_not_trust_the_index(
    stored: DialogueStore, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    hide_root_from_index(settings)
    report = DialogueStore(settings).verify()
    assert not report.ok and report.dialogues == 2
    assert [(p.dialogue_id, p.sk, p.kind) for p in report.problems] == [
        (DID, "manifest", "cleartext-mismatch")
    ]
    assert "hidden from the index" in report.problems[0].message
    capsys.readouterr()
    assert main(["dialogue", "verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["dialogues"] == 2


def test_a_marker_without_a_root_is_a_finding(stored: DialogueStore, settings: Settings) -> None:
    delete(settings, find(settings, "manifest"))
    store = DialogueStore(settings)
    with pytest.raises(IntegrityError, match="manifest is gone"):
        store.open(DID)
    report = store.verify()
    assert [(p.dialogue_id, p.sk, p.kind) for p in report.problems] == [(DID, "manifest", "missing")]
    assert "marker records generation 1" in report.problems[0].message


@pytest.mark.parametrize("where", ["this machine", "another machine"])
def test_a_dialogue_deleted_as_a_whole_is_a_finding(
    stored: DialogueStore, settings: Settings, tmp_path: Path, where: str
) -> None:
    """Partition and marker gone: this machine's mark, or else the audit chain, still knows it."""
    for item in items(settings):
        delete(settings, item)
    delete_marker(settings)
    if where == "another machine":
        copy_key(settings, tmp_path)
        store = elsewhere(settings, tmp_path)
        why = "audit chain recorded generation 1"
    else:
        store = DialogueStore(settings)
        why = "this machine has seen generation 1"
    report = store.verify()
    assert [(p.dialogue_id, p.sk, p.kind) for p in report.problems] == [(DID, "manifest", "missing")]
    assert why in report.problems[0].message and report.dialogues == 2


def test_an_appended_event_cannot_lower_the_recorded_generation(
    version_one: tuple[list[dict[str, Any]], dict[str, Any]], settings: Settings, tmp_path: Path
) -> None:
    """The chain is not keyed: anyone may append a well-formed `import` event. Restoring
    generation 1 and appending an event that records it (marker and all) still leaves the
    chain's earlier record of generation 2, and this machine's mark."""
    old, _ = version_one
    restore(settings, old)
    old_root = next(i for i in old if i["SK"]["S"] == "manifest")
    AuditLog(settings).append(
        operation="import",
        key_id=f"dek#{DID}#v1",
        principal="tester@example.com",
        trace=TraceContext.new(),
        subject=DID,
        detail={"generation": 1, "items": 0, "status": "replaced", "root": root_digest(old_root)},
        record_generation=1,
    )
    with pytest.raises(IntegrityError, match="this machine has seen generation 2"):
        DialogueStore(settings).open(DID)
    copy_key(settings, tmp_path)
    report = elsewhere(settings, tmp_path).verify()
    assert (DID, "manifest", "rolled-back") in {(p.dialogue_id, p.sk, p.kind) for p in report.problems}
