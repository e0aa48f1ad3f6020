"""Writing one dialogue: split, compare, claim, encode and seal on the writers, write, commit.

An import splits the document into entities and reads the dialogue's state. A dialogue
the table holds already is encoded first and compared (an unchanged import writes
nothing; a changed one needs ``replace``). Then a generation is claimed and data-key
budget reserved (for a new dialogue in one transaction), every item and manifest page
is sealed and written on several threads, and the root is moved in one transaction with
the audit event and the marker (docs/ENVELOPE.md section 5). A body too large for a
DynamoDB item is refused naming it; a write that fails part way removes what it wrote
of its generation (readers never see an uncommitted generation anyway).

Where the time goes (benchmarks/bench_import.py): the writes, then parsing (before this
module), encoding, sealing and the round trips. Each request's items are encoded and
sealed by the writer thread that sends it: the writers mostly wait for DynamoDB, and
this work comes in short slices between replies, so it overlaps the requests in
flight. Overlapping the round trips with parsing or encoding on a helper thread was
measured and gains nothing: with one GIL, the thread waiting for a reply then waits
for the GIL while the other computes.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.audit import Anchor, TraceContext
from blue_tui.core.crypto.keys import DekHandle
from blue_tui.core.errors import BlueError, ConcurrentWrite, DialogueExists, SourceError
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog, ChainConflict
from blue_tui.core.store.data_keys import DataKeys
from blue_tui.core.store.entities import Entity, split_document, summary
from blue_tui.core.store.generations import (
    claim_generation,
    commit_action,
    delete_generations,
    first_claim_action,
)
from blue_tui.core.store.highwater import DialogueMark
from blue_tui.core.store.reader import ROOT_SK
from blue_tui.core.store.results import ImportResult
from blue_tui.core.store.rollback import RootState, read_state
from blue_tui.core.store.sealing import (
    MAX_SEALED_BYTES,
    PAGE_ENTRIES,
    ContentDigest,
    Progress,
    Sealer,
    content_digest,
    page_count,
    root_digest,
)
from blue_tui.core.store.sources import ParsedDialogue, document_id

__all__ = ["Importer", "encode_bodies", "messages_for"]


def messages_for(entities: int) -> int:
    """Encryptions one write of ``entities`` needs: every entity, every manifest page, the root."""
    return entities + page_count(entities) + 1


def encode_bodies(source: str, dialogue_id: str, entities: Sequence[Entity]) -> list[bytes]:
    """Every entity's body; one too large for a DynamoDB item is refused (a SourceError naming it)."""
    bodies = [envelope.encode_body(entity.payload) for entity in entities]
    for entity, body in zip(entities, bodies, strict=True):
        size = len(body) + envelope.TAG_BYTES
        if size > MAX_SEALED_BYTES:
            data = entity.payload.get("data")
            ident = data.get("id") if isinstance(data, dict) else None
            named = f"{entity.entity_type} {ident} " if isinstance(ident, str) else ""
            raise SourceError(
                source,
                f"{named}(item {entity.entity_type}#{entity.subkey}) of dialogue {dialogue_id} is "
                f"{size:,} bytes after compression, over DynamoDB's 400 KB item limit",
            )
    return bodies


class Importer:
    """Writes parsed dialogues into one table. Thread-safe as the store is (no state of its own)."""

    def __init__(
        self,
        settings: Settings,
        keys: DataKeys,
        audit: AuditLog,
        trace: TraceContext,
        newest_known: Callable[[str, RootState], int],
        write_workers: int,
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.audit = audit
        self.trace = trace
        self.newest_known = newest_known
        self.write_workers = write_workers

    def run(self, parsed: ParsedDialogue, *, replace: bool, progress: Progress | None) -> ImportResult:
        dialogue_id = document_id(parsed.document, parsed.source)
        doc = parsed.document
        entities = split_document(doc)
        state = read_state(self.settings, self.audit, dialogue_id)
        if state.audit_head is not None:
            self.audit.remember_head(*state.audit_head)
        committed = state.generation
        sealer = Sealer(self.settings.table, dialogue_id)
        encoded: tuple[list[bytes], str] | None = None
        if state.root is not None and committed is not None:
            # Whether to write at all depends on the content: encode it first.
            bodies = encode_bodies(parsed.source, dialogue_id, entities)
            digest = content_digest(entities, bodies)
            encoded = (bodies, digest)
            deks = {item["SK"]["S"]: item for item in self.keys.items(dialogue_id)}
            old = sealer.open_root(self.keys.for_item(dialogue_id, state.root, deks), state.root)
            if old.get("digest") == digest:
                return self._result(parsed, dialogue_id, int(old.get("items", 0)), "unchanged", committed)
            if not replace:
                raise DialogueExists(dialogue_id, parsed.source)
        generation, dek = self._claim(dialogue_id, state, messages_for(len(entities)))
        written = _Generation(parsed.source, sealer, dek, generation, entities, encoded)
        try:
            written.write(self.settings, self.write_workers, progress)
        except Exception:
            self._discard(dialogue_id, committed, generation)
            raise
        root_payload = {
            "dialogue_id": dialogue_id,
            "gen": generation,
            "digest": written.content_digest,
            "items": len(entities),
            "pages": written.page_digests,
            "summary": summary(doc),
            "source": parsed.source,
        }
        status = "created" if committed is None else "replaced"
        root_item = sealer.seal(dek, ROOT_SK, root_payload)
        root = root_digest(root_item)
        try:
            event = self.audit.append(
                operation="import",
                key_id=dek.key_id,
                principal=self.settings.user,
                trace=self.trace.child(),
                subject=dialogue_id,
                detail={"generation": generation, "items": len(entities), "status": status, "root": root},
                record_generation=generation,
                extra_actions=[
                    commit_action(self.settings, dialogue_id, generation, committed, root_item, doc)
                ],
            )
        except ChainConflict:
            self._discard(dialogue_id, committed, generation)
            raise ConcurrentWrite(dialogue_id) from None
        self.audit.high_water.record(
            dialogues={dialogue_id: DialogueMark(generation, root)}, audit=Anchor(event.seq, event.event_hash)
        )
        if generation > 1:
            delete_generations(self.settings, dialogue_id, keep=generation, workers=self.write_workers)
        return self._result(parsed, dialogue_id, len(entities), status, generation)

    def _claim(self, dialogue_id: str, state: RootState, messages: int) -> tuple[int, DekHandle]:
        """A generation and the data key to seal it with, ``messages`` encryptions reserved.

        A dialogue without a root item (the common first import) claims its generation in the
        transaction that makes its first data key: one round trip fewer. Should another writer
        get there first, that transaction fails whole, and the claim is made as for any write.
        """
        above = self.newest_known(dialogue_id, state)
        if state.root is None:
            generation = above + 1
            claim = first_claim_action(self.settings, dialogue_id, generation)
            try:
                return generation, self.keys.writable(
                    dialogue_id, messages, known_new=True, with_first=[claim]
                )
            except ChainConflict:
                pass
        generation = claim_generation(self.settings, dialogue_id, above=above)
        return generation, self.keys.writable(dialogue_id, messages, known_new=state.generation is None)

    @staticmethod
    def _result(parsed: ParsedDialogue, dialogue_id: str, items: int, status: str, gen: int) -> ImportResult:
        return ImportResult(dialogue_id, parsed.source, items, status, gen, tuple(parsed.warnings))

    def _discard(self, dialogue_id: str, committed: int | None, generation: int) -> None:
        """Remove what was written of an uncommitted generation (best effort: readers ignore it)."""
        with contextlib.suppress(BlueError):
            delete_generations(
                self.settings, dialogue_id, keep=committed, only=generation, workers=self.write_workers
            )


class _Generation:
    """One generation's items, made on the writer threads just before each request is sent.

    Each task encodes (unless the caller encoded already) and seals a run of entities, so
    that this work overlaps the requests in flight instead of preceding them. Runs finish
    in any order; as they complete in entity order, their bodies are added to the content
    digest and each full manifest page is sealed and sent by the task that completed it.
    """

    def __init__(
        self,
        source: str,
        sealer: Sealer,
        dek: DekHandle,
        generation: int,
        entities: Sequence[Entity],
        encoded: tuple[list[bytes], str] | None,
    ) -> None:
        """``encoded``: the bodies and their content digest, when the caller has them already."""
        self.source = source
        self.sealer = sealer
        self.dek = dek
        self.generation = generation
        self.entities = entities
        count = len(entities)
        self._bodies = encoded[0] if encoded is not None else None
        self._known_digest = encoded[1] if encoded is not None else None
        self._digest = ContentDigest()
        self._entries: list[list[str]] = [[] for _ in entities]
        self.page_digests: list[str] = [""] * page_count(count)
        # Runs sealed but not yet taken in order (start -> (stop, bodies)), and the order's front.
        self._done: dict[int, tuple[int, list[bytes]]] = {}
        self._front = 0
        self._lock = threading.Lock()

    @property
    def content_digest(self) -> str:
        return self._known_digest or self._digest.hexdigest()

    def _run(self, start: int, stop: int) -> list[dict[str, Any]]:
        """One task, on a writer thread. Runs never overlap: each fills its own slots."""
        entities = self.entities[start:stop]
        if self._bodies is not None:
            bodies = self._bodies[start:stop]
        else:
            bodies = encode_bodies(self.source, self.sealer.dialogue_id, entities)
        items, entries = self.sealer.seal_entities(self.dek, self.generation, entities, bodies)
        self._entries[start:stop] = entries
        for page, page_entries in self._arrived(start, stop, bodies):
            item = self.sealer.seal_page(self.dek, self.generation, page, page_entries)
            self.page_digests[page] = envelope.item_digest(
                item["content_nonce"]["B"], item["content_encrypted"]["B"]
            )
            items.append(item)
        return items

    def _arrived(self, start: int, stop: int, bodies: list[bytes]) -> list[tuple[int, list[list[str]]]]:
        """Record a sealed run; returns the manifest pages it completed (number, entries)."""
        pages = []
        with self._lock:
            self._done[start] = (stop, bodies)
            while self._front in self._done:
                begin = self._front
                end, done_bodies = self._done.pop(begin)
                if self._known_digest is None:
                    self._digest.update(self.entities[begin:end], done_bodies)
                self._front = end
                # A page is complete when the front passes its end (or reaches the last entity).
                first, last = begin // PAGE_ENTRIES, (end - 1) // PAGE_ENTRIES
                for k in range(first, last + 1):
                    if end >= min((k + 1) * PAGE_ENTRIES, len(self.entities)):
                        pages.append((k, self._entries[k * PAGE_ENTRIES : (k + 1) * PAGE_ENTRIES]))
        return pages

    def write(self, settings: Settings, workers: int, progress: Progress | None) -> None:
        """Write every entity and the manifest pages (``page_digests`` and ``content_digest`` are
        then complete)."""
        count = len(self.entities)
        step = tbl.BATCH_WRITE_LIMIT
        with tbl.BatchWriter(settings, workers=workers) as writer:
            for start in range(0, count, step):
                if progress and not start % 1000:
                    progress("write", start, count)
                writer.put_later(functools.partial(self._run, start, min(count, start + step)))
        if progress:
            progress("write", count, count)
