"""The import pipeline against DynamoDB Local: items made on the writer threads, manifest pages
sealed as their entries complete, and what happens when a write cannot finish.

The writer threads finish their runs in any order; the manifest pages and the content
digest must still come out in entity order, at every page boundary, with one writer or
many. An item too large for DynamoDB, or a request the endpoint refuses part way, must
leave nothing of the new generation behind (the failing endpoint is a loopback proxy in
front of DynamoDB Local that refuses one BatchWriteItem, as a failing endpoint would).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError, ConcurrentWrite, DialogueExists, DialogueNotFound, SourceError
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.sealing import PAGE_ENTRIES
from blue_tui.core.store.sources import ParsedDialogue
from tests.integration.loopback_proxy import Exchange, LoopbackProxy


def dialogue(dialogue_id: str, perspectives: int, *, huge_at: int | None = None) -> dict[str, Any]:
    """A dialogue of exactly ``perspectives + 1`` entities (the meta entity and one per perspective)."""
    members = [
        {"id": f"P{n:04d}", "label": f"perspective {n}", "content": f"why {n} matters " * 5}
        for n in range(perspectives)
    ]
    if huge_at is not None:
        # Random hex: deflate halves it at best, so the item stays far above DynamoDB's limit.
        members[huge_at]["content"] = os.urandom(400_000).hex()
    return {"id": dialogue_id, "title": f"Dialogue {dialogue_id}", "perspectives": members}


def stored(settings: Settings, dialogue_id: str) -> list[dict[str, Any]]:
    return [item for page in tbl.query_partition(settings, pk_for(dialogue_id)) for item in page]


def entity_sks(settings: Settings, dialogue_id: str) -> list[str]:
    return [
        i["SK"]["S"]
        for i in stored(settings, dialogue_id)
        if i["SK"]["S"] != "manifest" and "#g" in i["SK"]["S"]
    ]


@pytest.mark.parametrize(
    ("entities", "workers"),
    # Page boundaries: exactly two full pages; one entity over; a last run of one entity; one writer.
    [(PAGE_ENTRIES * 2, 8), (PAGE_ENTRIES * 2 + 1, 8), (PAGE_ENTRIES + 26, 8), (PAGE_ENTRIES + 7, 1)],
)
def test_pages_and_digest_come_out_in_entity_order(settings: Settings, entities: int, workers: int) -> None:
    doc = dialogue("paged", entities - 1)
    result = DialogueStore(settings, write_workers=workers).import_dialogue(ParsedDialogue("paged.json", doc))
    assert (result.status, result.items) == ("created", entities)

    pages = -(-entities // PAGE_ENTRIES)
    sks = entity_sks(settings, "paged")
    assert sorted(sk for sk in sks if sk.startswith("manifest#")) == [
        f"manifest#g000001#p{k:04d}" for k in range(pages)
    ]
    assert len(sks) == entities + pages
    fresh = DialogueStore(settings)
    assert fresh.open("paged").document == doc
    assert fresh.verify("paged").ok

    # The digest the writers fed run by run is the one a plain pass over the bodies gives (which
    # is what re-importing compares with): the same content again is recognised as unchanged.
    again = DialogueStore(settings, write_workers=workers).import_dialogue(ParsedDialogue("paged.json", doc))
    assert (again.status, again.generation) == ("unchanged", 1)


def test_an_item_too_large_for_dynamodb_leaves_nothing_behind(settings: Settings, tmp_path: Path) -> None:
    source = str(tmp_path / "big.json")
    doc = dialogue("big", 400, huge_at=250)
    with pytest.raises(SourceError) as err:
        DialogueStore(settings).import_dialogue(ParsedDialogue(source, doc))
    message = err.value.message
    assert (
        source in message
        and "perspective P0250 (item perspective#02#50)" in message
        and "400 KB item limit" in message
    )

    assert entity_sks(settings, "big") == []
    assert [e.operation for e in AuditLog(settings).events()] == ["wrap_dek"]
    with pytest.raises(DialogueNotFound):
        DialogueStore(settings).open("big")

    # Made to fit, the same dialogue imports cleanly (a later generation than the one given up).
    doc["perspectives"][250]["content"] = "short again"
    result = DialogueStore(settings).import_dialogue(ParsedDialogue(source, doc))
    assert result.status == "created" and result.generation == 2
    assert DialogueStore(settings).open("big").document == doc
    assert DialogueStore(settings).verify().ok


def test_a_refused_request_part_way_removes_what_was_written(
    blue_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = {"BatchWriteItem": 0}

    def refuse_the_fifth_write(exchange: Exchange, answered: bool) -> None:
        if answered or not exchange.target.endswith(".BatchWriteItem"):
            return
        calls["BatchWriteItem"] += 1
        if calls["BatchWriteItem"] == 5:
            exchange.status = 400
            exchange.headers = [("Content-Type", "application/x-amz-json-1.0")]
            exchange.body = json.dumps(
                {
                    "__type": "com.amazon.coral.validate#ValidationException",
                    "message": "Item size has exceeded the maximum allowed size",
                }
            ).encode()

    doc = dialogue("flaky", 1000)
    with LoopbackProxy(blue_env["DYNAMODB_ENDPOINT"], refuse_the_fifth_write).running() as proxy:
        monkeypatch.setenv("DYNAMODB_ENDPOINT", proxy.url)
        env = {**blue_env, "DYNAMODB_ENDPOINT": proxy.url}
        settings = Settings.from_env(env)
        with pytest.raises(BlueError) as err:
            DialogueStore(settings).import_dialogue(ParsedDialogue("flaky.json", doc))
        assert "ValidationException" in err.value.message and proxy.url.split("//")[1] in err.value.message
        assert calls["BatchWriteItem"] > 5, "the writes after the refused one were cleaned up"

        assert entity_sks(settings, "flaky") == []
        assert [e.operation for e in AuditLog(settings).events()] == ["wrap_dek"]
        capsys.readouterr()
        assert main(["dialogue", "show", "flaky"]) == 1
        assert "Traceback" not in capsys.readouterr().err

        result = DialogueStore(settings).import_dialogue(ParsedDialogue("flaky.json", doc))
        assert (result.status, result.generation) == ("created", 2)
        assert DialogueStore(settings).open("flaky").document == doc
        assert DialogueStore(settings).verify().ok


def test_first_imports_racing_for_a_new_dialogue_commit_one(settings: Settings) -> None:
    """A new dialogue's generation is claimed in the transaction that makes its first data key;
    writers that lose that race claim as any write does, and exactly one commit wins."""
    docs = [dict(dialogue("race", 300), question=f"writer {n}") for n in range(3)]
    outcomes: list[str] = []

    def write(doc: dict[str, Any]) -> None:
        try:
            outcomes.append(DialogueStore(settings).import_dialogue(ParsedDialogue("race.json", doc)).status)
        except (ConcurrentWrite, DialogueExists):  # lost the commit, or came after it
            outcomes.append("lost")

    threads = [threading.Thread(target=write, args=(doc,)) for doc in docs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["created", "lost", "lost"]
    store = DialogueStore(settings)
    assert store.open("race").document in docs
    assert store.verify().ok and AuditLog(settings).verify().ok
    assert [i["SK"]["S"] for i in stored(settings, "race") if i["SK"]["S"].startswith("dek#")] == ["dek#v1"]


def test_a_data_key_left_without_a_root_is_used_again(settings: Settings) -> None:
    """A data key item whose dialogue has no root (its first import stopped, or the root was
    deleted): the first import's single transaction fails on it, and the import claims and
    reserves as any write does, under that key."""
    doc = dialogue("leftover", 20)
    DialogueStore(settings).import_dialogue(ParsedDialogue("leftover.json", doc))
    client = dynamodb_client(settings)
    client.delete_item(
        TableName=settings.table, Key={"PK": {"S": pk_for("leftover")}, "SK": {"S": "manifest"}}
    )
    for key in [{"PK": i["PK"], "SK": i["SK"]} for i in stored(settings, "leftover") if "#g" in i["SK"]["S"]]:
        client.delete_item(TableName=settings.table, Key=key)
    client.delete_item(
        TableName=settings.table, Key={"PK": {"S": "audit#crypto"}, "SK": {"S": "subject#leftover"}}
    )
    (settings.blue_home / "state" / "highwater.json").unlink()

    result = DialogueStore(settings).import_dialogue(ParsedDialogue("leftover.json", doc))
    assert (result.status, result.generation) == ("created", 1)
    opened = DialogueStore(settings).open("leftover")
    assert opened.document == doc and opened.key_id == "dek#leftover#v1"
