"""The encrypted dialogue store against a real DynamoDB Local table."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.errors import ConcurrentWrite, DialogueExists, DialogueNotFound
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sources import ParsedDialogue, parse_path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def sample() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def parsed(doc: dict[str, Any], source: str = "test.json") -> ParsedDialogue:
    return ParsedDialogue(source, doc)


def partition(settings: Settings, dialogue_id: str) -> list[dict[str, Any]]:
    return [item for page in tbl.query_partition(settings, pk_for(dialogue_id)) for item in page]


def test_import_open_export_round_trip(settings: Settings) -> None:
    store = DialogueStore(settings)
    doc = sample()
    result = store.import_dialogue(parsed(doc, str(FIXTURE)))
    assert (result.id, result.status, result.generation) == ("local-prod-parity", "created", 1)
    assert result.items > 40

    opened = DialogueStore(settings).open("local-prod-parity")  # a fresh store: nothing cached
    assert opened.document == doc and list(opened.document) == list(doc)
    assert opened.key_id == "dek#local-prod-parity#v1"

    listed = store.list_dialogues()
    assert [(d.id, d.title, d.status, d.rounds, d.experts) for d in listed] == [
        ("local-prod-parity", "Local-Production Parity", "converged", 4, 11)
    ]


def test_nothing_readable_is_stored_in_the_clear(settings: Settings) -> None:
    doc = sample()
    DialogueStore(settings).import_dialogue(parsed(doc))
    raw = json.dumps(partition(settings, "local-prod-parity"), default=repr)
    for secret in (
        doc["title"],
        doc["question"][:40],
        doc["perspectives"][0]["label"],
        "Muffin",
        "Platform Engineer",
    ):
        assert secret not in raw
    items = partition(settings, "local-prod-parity")
    cleartext = {name for item in items for name in item}
    assert cleartext <= {
        "PK",
        "SK",
        "entity_type",
        "key_id",
        "content_encrypted",
        "content_nonce",
        "status",
        "created_at",
        "event_type",
        "ref_type",
        "verdict_type",
        "move_type",
        # control items: the manifest root's counters and index keys, the wrapped DEK's metadata
        "gen",
        "next_gen",
        "kind",
        "kind_key",
        "updated_at",
        "provider",
        "kek_id",
        "owner",
        "wrapped",
        "encryptions",
    }
    for item in items:
        if "content_nonce" in item:
            assert len(item["content_nonce"]["B"]) == 12


def test_reimport_is_a_no_op_and_changes_need_replace(settings: Settings) -> None:
    store = DialogueStore(settings)
    doc = sample()
    store.import_dialogue(parsed(doc))
    before = partition(settings, "local-prod-parity")
    assert store.import_dialogue(parsed(copy.deepcopy(doc))).status == "unchanged"
    assert partition(settings, "local-prod-parity") == before

    changed = copy.deepcopy(doc)
    changed["status"] = "abandoned"
    changed["tensions"].pop()
    with pytest.raises(DialogueExists, match=r"different content") as err:
        store.import_dialogue(parsed(changed, "new.json"))
    assert "--replace" in (err.value.hint or "")
    assert partition(settings, "local-prod-parity") == before  # nothing written

    result = store.import_dialogue(parsed(changed), replace=True)
    assert (result.status, result.generation) == ("replaced", 2)
    assert store.open("local-prod-parity").document == changed
    # The old generation is gone; the DEK was reused.
    sks = [i["SK"]["S"] for i in partition(settings, "local-prod-parity")]
    assert not [sk for sk in sks if "#g000001#" in sk]
    assert [sk for sk in sks if sk.startswith("dek#")] == ["dek#v1"]
    assert store.list_dialogues()[0].status == "abandoned"
    assert store.verify().ok


def test_unknown_dialogue(settings: Settings) -> None:
    with pytest.raises(DialogueNotFound, match=r"no dialogue .nope."):
        DialogueStore(settings).open("nope")


def test_readers_never_see_a_half_written_version(settings: Settings) -> None:
    """A reader running while versions are replaced sees exactly one whole version each time."""
    versions = []
    base = sample()
    for n in range(4):
        doc = copy.deepcopy(base)
        doc["totalAlignment"] = n
        doc["perspectives"] = doc["perspectives"][: 5 + n * 3]
        versions.append(doc)
    writer = DialogueStore(settings, write_workers=1)
    writer.import_dialogue(parsed(versions[0]))
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        reader = DialogueStore(settings)
        while not done.is_set():
            try:
                doc = reader.open("local-prod-parity").document
            except ConcurrentWrite:
                continue
            except BaseException as exc:
                errors.append(exc)
                return
            n = doc["totalAlignment"]
            assert doc == versions[n]
            seen.append(n)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for doc in versions[1:] + versions[:1]:
            writer.import_dialogue(parsed(doc), replace=True)
    finally:
        done.set()
        thread.join(60)
    assert not errors, errors
    assert seen, "the reader never completed a read"
    assert DialogueStore(settings).verify().ok


def test_two_writers_of_one_dialogue_never_corrupt_it(settings: Settings) -> None:
    base = sample()
    DialogueStore(settings).import_dialogue(parsed(base))
    outcomes: list[str] = []
    docs = []
    for n in range(2):
        doc = copy.deepcopy(base)
        doc["totalAlignment"] = 1000 + n
        docs.append(doc)

    def write(doc: dict[str, Any]) -> None:
        try:
            DialogueStore(settings).import_dialogue(parsed(doc), replace=True)
            outcomes.append("ok")
        except ConcurrentWrite:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(doc,)) for doc in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert "ok" in outcomes and len(outcomes) == 2
    final = DialogueStore(settings).open("local-prod-parity").document
    assert final in docs
    report = DialogueStore(settings).verify()
    assert report.ok, report.problems
    assert AuditLog(settings).verify().ok


def test_a_spent_data_key_is_rotated_never_overused(settings: Settings) -> None:
    doc = sample()
    items = DialogueStore(settings).import_dialogue(parsed(doc)).items
    limit = (items + 2) * 2 + 1  # room for two writes of this dialogue, not three
    store = DialogueStore(settings, max_messages_per_dek=limit)
    for n in range(3):
        changed = copy.deepcopy(doc)
        changed["totalAlignment"] = n
        store.import_dialogue(parsed(changed), replace=True)
    deks = {
        i["SK"]["S"]: int(i["encryptions"]["N"])
        for i in partition(settings, "local-prod-parity")
        if i["SK"]["S"].startswith("dek#")
    }
    assert set(deks) == {"dek#v1", "dek#v2"}
    assert all(count <= limit for count in deks.values())
    opened = store.open("local-prod-parity")
    assert opened.key_id == "dek#local-prod-parity#v2" and opened.document["totalAlignment"] == 2


def test_large_text_is_compressed_within_the_item_limit(settings: Settings) -> None:
    doc = sample()
    doc["rounds_data"][0]["text"] = "\n".join(
        f"line {n}: the panel weighed parity again." for n in range(20000)
    )
    store = DialogueStore(settings)
    store.import_dialogue(parsed(doc))
    assert store.open("local-prod-parity").document == doc


def test_folder_import_and_parse_errors(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"id": "a", "title": "A"}))
    (tmp_path / "b.json").write_text(json.dumps({"title": "Bee Dialogue"}))
    found = parse_path(tmp_path)
    assert [p.dialogue_id for p in found] == ["a", "bee-dialogue"]


def test_audit_log_records_batches_not_records(settings: Settings) -> None:
    store = DialogueStore(settings)
    store.import_dialogue(parsed(sample()))
    store.open("local-prod-parity")
    store.list_dialogues()
    events = AuditLog(settings).events()
    assert [e.operation for e in events] == ["wrap_dek", "import", "open", "list"]
    assert all(e.principal == "tester@example.com" for e in events)
    assert len({e.trace_id for e in events}) == 1 and len({e.span_id for e in events}) == 4
    client = dynamodb_client(settings)
    raw = json.dumps(client.scan(TableName=settings.table)["Items"], default=repr)
    umk = Path(settings.umk_path).read_bytes()
    assert umk.hex() not in raw
