"""Writing one dialogue: split, encode, compare, claim, seal, write, commit.

An import splits the document into entities and encodes their bodies, reads the
dialogue's state (an unchanged import writes nothing; a changed one needs
``replace``), claims a generation, reserves data-key budget, seals every item and its
manifest pages, writes them on several threads, and commits by moving the root in one
transaction with the audit event and the marker (docs/ENVELOPE.md section 5). A body
too large for a DynamoDB item is refused before anything is written; a write that
fails part way removes what it wrote of its generation (readers never see an
uncommitted generation anyway).

Where the time goes (benchmarks/bench_import.py): the writes themselves, then parsing
(before this module), then sealing, encoding and four round trips. Overlapping the
round trips or the sealing with CPU work on other threads was measured and gains
nothing here: with one GIL, a thread waiting for a reply waits again for the GIL
while another computes. What pays is doing less: sealing builds what items share once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.audit import Anchor, TraceContext
from blue_tui.core.errors import BlueError, ConcurrentWrite, DialogueExists, SourceError
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog, ChainConflict
from blue_tui.core.store.data_keys import DataKeys
from blue_tui.core.store.entities import Entity, split_document, summary
from blue_tui.core.store.generations import claim_generation, commit_action, delete_generations
from blue_tui.core.store.highwater import DialogueMark
from blue_tui.core.store.reader import ROOT_SK
from blue_tui.core.store.results import ImportResult
from blue_tui.core.store.rollback import RootState, read_state
from blue_tui.core.store.sealing import (
    MAX_SEALED_BYTES,
    Progress,
    Sealer,
    content_digest,
    page_count,
    root_digest,
)
from blue_tui.core.store.sources import ParsedDialogue, document_id


def messages_for(entities: int) -> int:
    """Encryptions one write of ``entities`` needs: every entity, every manifest page, the root."""
    return entities + page_count(entities) + 1


def encode_bodies(source: str, dialogue_id: str, entities: Sequence[Entity]) -> list[bytes]:
    """Every entity's body; one too large for a DynamoDB item is refused here, before any request."""
    bodies = [envelope.encode_body(entity.payload) for entity in entities]
    for entity, body in zip(entities, bodies, strict=True):
        size = len(body) + envelope.TAG_BYTES
        if size > MAX_SEALED_BYTES:
            raise SourceError(
                source,
                f"item {entity.entity_type}#{entity.subkey} of dialogue {dialogue_id} is {size:,} bytes "
                "after compression, over DynamoDB's 400 KB item limit",
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
        bodies = encode_bodies(parsed.source, dialogue_id, entities)
        digest = content_digest(entities, bodies)
        state = read_state(self.settings, self.audit, dialogue_id)
        if state.audit_head is not None:
            self.audit.remember_head(*state.audit_head)
        committed = state.generation

        def result(items: int, status: str, gen: int) -> ImportResult:
            return ImportResult(dialogue_id, parsed.source, items, status, gen, tuple(parsed.warnings))

        sealer = Sealer(self.settings.table, dialogue_id)
        if state.root is not None and committed is not None:
            deks = {item["SK"]["S"]: item for item in self.keys.items(dialogue_id)}
            old = sealer.open_root(self.keys.for_item(dialogue_id, state.root, deks), state.root)
            if old.get("digest") == digest:
                return result(int(old.get("items", 0)), "unchanged", committed)
            if not replace:
                raise DialogueExists(dialogue_id, parsed.source)
        generation = claim_generation(self.settings, dialogue_id, above=self.newest_known(dialogue_id, state))
        dek = self.keys.writable(dialogue_id, messages_for(len(entities)), known_new=committed is None)
        items, page_digests = sealer.seal_generation(dek, generation, entities, bodies)
        self._write(dialogue_id, committed, generation, items, progress)

        root_payload = {
            "dialogue_id": dialogue_id,
            "gen": generation,
            "digest": digest,
            "items": len(entities),
            "pages": page_digests,
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
        return result(len(entities), status, generation)

    def _write(
        self,
        dialogue_id: str,
        committed: int | None,
        generation: int,
        items: Sequence[dict[str, Any]],
        progress: Progress | None,
    ) -> None:
        """Write a generation's sealed items on several threads; on failure remove what was written."""
        total = len(items)
        try:
            with tbl.BatchWriter(self.settings, workers=self.write_workers) as writer:
                for done, item in enumerate(items):
                    if progress and not done % 1000:
                        progress("write", done, total)
                    writer.put(item)
        except Exception:
            self._discard(dialogue_id, committed, generation)
            raise
        if progress:
            progress("write", total, total)

    def _discard(self, dialogue_id: str, committed: int | None, generation: int) -> None:
        """Remove what was written of an uncommitted generation (best effort: readers ignore it)."""
        with contextlib.suppress(BlueError):
            delete_generations(
                self.settings, dialogue_id, keep=committed, only=generation, workers=self.write_workers
            )


__all__ = ["Importer", "encode_bodies", "messages_for"]
