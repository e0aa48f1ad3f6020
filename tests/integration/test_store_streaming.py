"""Streaming open (``DialogueStore.open(on_slice=...)``) against a real DynamoDB Local table: the
records come in partition order as pages are decrypted, long before the read ends; a caller can
stop the read; a tampered item is never handed out and still ends the open as a finding; a read
that starts over says so."""

from __future__ import annotations

import gc
import json
import threading
from typing import Any

import pytest
from dialogue_builders import long_dialogue, partition_pages

from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.errors import IntegrityError
from blue_tui.core.store.dialogue_store import DialogueStore, OpenedSlice
from blue_tui.core.store.entities import partial_document, split_document
from blue_tui.core.store.prefetch import SLICE
from blue_tui.core.store.sources import ParsedDialogue

DID = "long-read"


@pytest.fixture
def stored(settings: Settings) -> DialogueStore:
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue("long.json", long_dialogue(DID)))
    assert len(partition_pages(settings, DID)) >= 2  # the point of these tests: several pages
    return store


def sk_of(entity_type: str, subkey: str, generation: int = 1) -> str:
    return f"{entity_type}#g{generation:06d}#{subkey}"


def test_records_stream_in_partition_order_before_the_read_ends(
    stored: DialogueStore, settings: Settings
) -> None:
    slices: list[OpenedSlice] = []
    opened = DialogueStore(settings).open(DID, on_slice=slices.append)  # a fresh store: nothing cached

    streamed = [sk_of(e.entity_type, e.subkey) for part in slices for e in part.entities]
    stored_sks = [
        item["SK"]["S"]
        for page in partition_pages(settings, DID)
        for item in page
        if item["SK"]["S"].split("#")[0] not in ("dek", "manifest")
    ]
    assert streamed == stored_sks  # every record once, in the partition's (SK) order
    assert len(streamed) == opened.items == len(split_document(long_dialogue(DID)))

    first = slices[0]
    assert (first.dialogue_id, first.generation, first.attempt) == (DID, 1, 0)
    assert 0 < len(first.entities) <= SLICE and len(slices) > len(partition_pages(settings, DID))
    assert [s.records_read for s in slices] == sorted(s.records_read for s in slices)
    assert slices[-1].records_read == slices[-1].records_total == opened.items
    # The first slice already makes the header; all of them make the verified document.
    preview = partial_document(first.entities)
    assert preview is not None and preview["title"] == "A long dialogue" and preview["totalAlignment"] == 77
    whole = partial_document([e for part in slices for e in part.entities])
    assert whole == opened.document == json.loads(json.dumps(long_dialogue(DID)))


def test_open_without_a_listener_is_unchanged(stored: DialogueStore, settings: Settings) -> None:
    plain = DialogueStore(settings).open(DID)
    streamed = DialogueStore(settings).open(DID, on_slice=lambda part: None)
    assert plain.document == streamed.document
    assert (plain.generation, plain.items, plain.key_id) == (
        streamed.generation,
        streamed.items,
        streamed.key_id,
    )


class Stop(Exception):
    pass


def test_raising_in_on_slice_stops_the_read_and_the_fetching_thread(
    stored: DialogueStore, settings: Settings
) -> None:
    calls: list[OpenedSlice] = []

    def on_slice(part: OpenedSlice) -> None:
        calls.append(part)
        if len(calls) == 2:
            raise Stop

    store = DialogueStore(settings)
    with pytest.raises(Stop):
        store.open(DID, on_slice=on_slice)
    assert len(calls) == 2  # nothing more was read for it
    assert not [t for t in threading.enumerate() if t.name in ("blue-prefetch", "blue-audit-open")]
    assert gc.isenabled()  # the load's GC pause ended with it
    assert store.open(DID).items == len(split_document(long_dialogue(DID)))  # the store still works


def test_a_tampered_item_in_a_later_page_is_never_handed_out_and_ends_as_a_finding(
    stored: DialogueStore, settings: Settings
) -> None:
    pages = partition_pages(settings, DID)
    victim = next(
        item for item in reversed(pages[-1]) if item["SK"]["S"].startswith(("perspective#", "round#"))
    )
    data = bytearray(victim["content_encrypted"]["B"])
    data[5] ^= 0x01
    victim["content_encrypted"]["B"] = bytes(data)
    dynamodb_client(settings).put_item(TableName=settings.table, Item=victim)

    slices: list[OpenedSlice] = []
    with pytest.raises(IntegrityError) as caught:
        DialogueStore(settings).open(DID, on_slice=slices.append)
    streamed = {sk_of(e.entity_type, e.subkey) for part in slices for e in part.entities}
    assert victim["SK"]["S"] not in streamed
    assert len(streamed) == len(split_document(long_dialogue(DID))) - 1  # the others came, unverified
    assert [(p.sk, p.kind) for p in caught.value.problems] == [(victim["SK"]["S"], "tampered")]


def test_a_read_that_starts_over_says_so(stored: DialogueStore, settings: Settings) -> None:
    """A writer commits between two pages of the read: the read starts over (attempt 1) on the
    new generation, and only that attempt's records make the dialogue."""
    newer = long_dialogue(DID, title="A newer long dialogue")
    client = dynamodb_client(settings)
    committed = threading.Event()

    def before_second_page(params: dict[str, Any], **_: Any) -> None:
        # botocore's public event, on the fetching thread: the commit lands between two pages
        if (
            "ExclusiveStartKey" in params
            and params.get("TableName") == settings.table
            and not committed.is_set()
        ):
            committed.set()
            DialogueStore(settings).import_dialogue(ParsedDialogue("newer.json", newer), replace=True)

    client.meta.events.register(
        "before-parameter-build.dynamodb.Query", before_second_page, unique_id="t-commit"
    )
    slices: list[OpenedSlice] = []
    try:
        opened = DialogueStore(settings).open(DID, on_slice=slices.append)
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.Query", unique_id="t-commit")
    assert committed.is_set()
    assert opened.generation == 2 and opened.document["title"] == "A newer long dialogue"
    first_attempt = [s for s in slices if s.attempt == 0]
    assert first_attempt and {s.generation for s in first_attempt} == {1}  # the old version's first page
    last = slices[-1].attempt
    restarted = [s for s in slices if s.attempt == last]
    assert last >= 1 and {s.generation for s in restarted} == {2}
    assert partial_document([e for s in restarted for e in s.entities]) == opened.document


def test_a_streaming_read_asks_for_a_short_first_page(stored: DialogueStore, settings: Settings) -> None:
    """Its first records come with a short first request (a full 1 MB page takes several times as
    long); the pages after it are full ones, and a plain open reads full pages only."""
    client = dynamodb_client(settings)
    limits: list[int | None] = []

    def note(params: dict[str, Any], **_: Any) -> None:
        values = params.get("ExpressionAttributeValues", {})
        if params.get("TableName") == settings.table and values.get(":pk") == {"S": f"dialogue#{DID}"}:
            limits.append(params.get("Limit"))

    client.meta.events.register("before-parameter-build.dynamodb.Query", note, unique_id="t-limits")
    try:
        slices: list[OpenedSlice] = []
        streamed = DialogueStore(settings).open(DID, on_slice=slices.append)
        streaming_limits, limits[:] = list(limits), []
        plain = DialogueStore(settings).open(DID)
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.Query", unique_id="t-limits")
    assert streaming_limits[0] == SLICE and set(streaming_limits[1:]) == {None}
    assert len(streaming_limits) >= 3  # the short page, then full pages
    assert slices[0].records_read <= SLICE
    assert limits and set(limits) == {None}
    assert streamed.document == plain.document
