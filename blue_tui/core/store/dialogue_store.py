"""The encrypted dialogue store: import, list, open, verify, export, reset.

One partition per dialogue (``PK = dialogue#{id}``) holds its data keys
(:mod:`.data_keys`), the entities of its committed generation sealed to their
addresses (:mod:`.sealing`), the manifest pages listing them, and the root naming the
committed generation (:mod:`.generations`). Writing a new version claims a fresh
generation, writes it beside the old one, then commits by moving the root in one
transaction with the audit event (:mod:`.importing`, :mod:`.audit_log`); readers see the old version or
the new one, never a mix. Reading checks every item against the manifest
(:mod:`.reader`) and the generation as a whole against the audit log and this
machine's high-water mark (:mod:`.rollback`, :mod:`.highwater`), so a flipped bit, a
swapped, deleted, added or rolled-back item, and a dialogue rolled back or deleted as
a whole, are found and named. This module orchestrates; the crafts live there.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import TraceContext
from blue_tui.core.crypto.dek_cache import DekCache
from blue_tui.core.crypto.keys import MAX_MESSAGES_PER_DEK, KekHandle, KeyProvider
from blue_tui.core.crypto.providers import key_provider
from blue_tui.core.errors import (
    BlueError,
    ConcurrentWrite,
    DialogueNotFound,
    IntegrityError,
    IntegrityProblem,
)
from blue_tui.core.gcpause import gc_paused
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.data_keys import DataKeys
from blue_tui.core.store.highwater import DialogueMark
from blue_tui.core.store.importing import Importer
from blue_tui.core.store.prefetch import SLICE, Prefetcher
from blue_tui.core.store.reader import PartitionReader, ReadResult
from blue_tui.core.store.results import (
    DialogueSummary,
    ImportResult,
    OpenedDialogue,
    OpenedSlice,
    VerifyReport,
)
from blue_tui.core.store.rollback import RootState, check_claims, gone_problem, read_state
from blue_tui.core.store.sealing import (
    Progress,
    Sealer,
    pk_for,
    root_digest,
    sk_for,
    split_sk,
)
from blue_tui.core.store.sources import ParsedDialogue

__all__ = [
    "DialogueStore",
    "DialogueSummary",
    "ImportResult",
    "OpenedDialogue",
    "OpenedSlice",
    "Progress",
    "VerifyReport",
    "pk_for",
    "sk_for",
    "split_sk",
]

MAX_READ_ATTEMPTS = 5


class DialogueStore:
    """Thread-safe; every method may run in a worker thread. Nothing here prints or prompts."""

    def __init__(
        self,
        settings: Settings,
        provider: KeyProvider | None = None,
        *,
        dek_cache: DekCache | None = None,
        trace: TraceContext | None = None,
        max_messages_per_dek: int = MAX_MESSAGES_PER_DEK,
        write_workers: int = 8,
    ) -> None:
        self.settings = settings
        self.provider = provider or key_provider(settings)
        self.dek_cache = dek_cache or DekCache()
        self.trace = trace or TraceContext.new(settings.env)
        self.audit = AuditLog(settings)
        self.high_water = self.audit.high_water
        self.keys = DataKeys(
            settings, self.provider, self.dek_cache, self.audit, self.trace, max_messages_per_dek
        )
        self.write_workers = write_workers
        self.importer = Importer(
            settings, self.keys, self.audit, self.trace, self._newest_known, write_workers
        )

    @property
    def user(self) -> str:
        return self.settings.user

    def kek(self) -> KekHandle:
        return self.keys.kek()

    def _open_root(
        self, dialogue_id: str, root: Mapping[str, Any], deks: Mapping[str, Any]
    ) -> dict[str, Any]:
        dek = self.keys.for_item(dialogue_id, root, deks)
        return Sealer(self.settings.table, dialogue_id).open_root(dek, root)

    # ---- import -----------------------------------------------------------------------------

    def import_dialogue(
        self, parsed: ParsedDialogue, *, replace: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        """Write one parsed dialogue. Unchanged content is a no-op; changed content needs ``replace``."""
        # Thousands of entities, bodies and items stay alive until the commit; left on,
        # the cyclic GC would rescan them over and over while requests are serialized.
        with gc_paused():
            return self.importer.run(parsed, replace=replace, progress=progress)

    def _newest_known(self, dialogue_id: str, state: RootState) -> int:
        """The newest generation any authenticated record knows (a new one must lie above it)."""
        mark = self.high_water.dialogue(dialogue_id)
        return max(state.generation or 0, state.marker.gen if state.marker else 0, mark.gen if mark else 0)

    # ---- reading ----------------------------------------------------------------------------

    def _indexed_ids(self) -> list[str]:
        """Committed dialogues in the index (ids from the key, which is authenticated by the AAD)."""
        roots = tbl.query_index(self.settings, "dialogue")
        return [r["PK"]["S"].removeprefix("dialogue#") for r in roots if "gen" in r]

    def list_dialogues(self) -> list[DialogueSummary]:
        roots = [r for r in tbl.query_index(self.settings, "dialogue") if "gen" in r]
        dek_keys = []
        for root in roots:
            version = root.get("key_id", {}).get("S", "").rsplit("#v", 1)[-1]
            dek_keys.append((root["PK"]["S"], f"dek#v{version}"))
        deks = {(item["PK"]["S"], item["SK"]["S"]): item for item in tbl.batch_get(self.settings, dek_keys)}
        out = []
        for root, key in zip(roots, dek_keys, strict=True):
            dialogue_id = root["PK"]["S"].removeprefix("dialogue#")
            problem = None
            try:
                payload = self._open_root(dialogue_id, root, {key[1]: deks[key]} if key in deks else {})
            except IntegrityError as exc:
                payload, problem = {}, str(exc)
            out.append(DialogueSummary.from_root(dialogue_id, root, payload, problem))
        if out:
            self._audit_quietly("list", self.kek().key_id, detail={"dialogues": len(out)})
            self._raise_marks()
        return sorted(out, key=lambda s: s.id)

    def open(
        self, dialogue_id: str, *, on_slice: Callable[[OpenedSlice], None] | None = None
    ) -> OpenedDialogue:
        """Load, verify and assemble one dialogue. Raises IntegrityError on any finding.

        The `open` audit event is written while the remaining pages load, as soon as the
        data key has been unwrapped (the crypto operation it records); a dialogue that
        then fails verification gets a second event with outcome `failure`.

        ``on_slice`` streams the read: it is called (on this thread) for every slice of
        items read, with the records just decrypted (:class:`OpenedSlice`: authenticated
        one by one, not yet verified as a whole), so a caller can show the first records
        long before the last page arrives. Only a return from ``open`` means the dialogue
        verified. An exception raised by ``on_slice`` stops the read (the fetching thread
        too) and propagates: that is how a caller cancels.
        """
        recorder: list[threading.Thread] = []

        def record(generation: int, key_id: str) -> None:
            thread = threading.Thread(
                target=self._audit_quietly,
                args=("open", key_id),
                kwargs={"subject": dialogue_id, "detail": {"generation": generation}},
                name="blue-audit-open",
            )
            thread.start()
            recorder.append(thread)

        try:
            opened, problems, mark = self._read(dialogue_id, on_unwrapped=record, on_slice=on_slice)
        finally:
            for thread in recorder:
                thread.join()
        if problems:
            self._audit_quietly(
                "open",
                f"dek#{dialogue_id}",
                outcome="failure",
                subject=dialogue_id,
                detail={"problems": len(problems)},
            )
            raise IntegrityError(problems)
        assert opened is not None and mark is not None
        self._raise_marks({dialogue_id: mark})
        return opened

    def export(self, dialogue_id: str) -> dict[str, Any]:
        return self.open(dialogue_id).document

    def verify(self, dialogue_id: str | None = None) -> VerifyReport:
        """Verify one dialogue, or every one that the index, the audit log or this machine knows.

        Verifying everything does not trust the index alone (its keys are cleartext):
        the audit log's markers and recorded commits and the local high-water mark name
        dialogues too, so a root hidden from the index, a marker without a root, or a
        dialogue that is gone are all findings.
        """
        report = VerifyReport()
        marks: dict[str, DialogueMark] = {}
        recorded: dict[str, int] = {}
        if dialogue_id:
            ids = [dialogue_id]
        else:
            subjects = self.audit.subjects()
            recorded = subjects.recorded
            ids = sorted({*self._indexed_ids(), *subjects.ids(), *self.high_water.dialogues()})
        for ident in ids:
            try:
                opened, problems, mark = self._read(ident, recorded=recorded.get(ident))
            except IntegrityError as exc:
                opened, problems, mark = None, exc.problems, None
            except DialogueNotFound:
                if dialogue_id:
                    raise
                continue  # named only by an index that has not caught up yet
            report.dialogues += 1
            report.problems.extend(problems)
            if opened is not None:
                report.stale_items += opened.stale_items
            if mark is not None:
                marks[ident] = mark
        self._audit_quietly(
            "verify",
            self.kek().key_id,
            outcome="success" if report.ok else "failure",
            detail={"dialogues": report.dialogues, "problems": len(report.problems)},
        )
        self._raise_marks(marks)
        return report

    def _read(
        self,
        dialogue_id: str,
        *,
        on_unwrapped: Callable[[int, str], None] | None = None,
        recorded: int | None = None,
        on_slice: Callable[[OpenedSlice], None] | None = None,
    ) -> tuple[OpenedDialogue | None, list[IntegrityProblem], DialogueMark | None]:
        """Read and verify a dialogue; ``on_unwrapped(generation, key_id)`` is called once, when
        its data key has been unwrapped. A clean read also returns the dialogue's mark."""
        mark = self.high_water.dialogue(dialogue_id)
        for attempt in range(MAX_READ_ATTEMPTS):
            # The Query's first page is on its way while the root, the marker and the chain head
            # are read. (The root read by the Query must still be the one `before` names, and the
            # claims are read again below whenever anything is amiss, so a commit landing in
            # between makes the read start over, as when it lands during the Query.)
            # A streaming read asks for a short first page: its records are on screen long
            # before a full page (1 MB) would have arrived.
            first_page = SLICE if on_slice is not None else None
            with (
                gc_paused(),
                Prefetcher(self.settings, pk_for(dialogue_id), first_page=first_page) as prefetcher,
            ):
                before = read_state(self.settings, self.audit, dialogue_id)
                if before.audit_head is not None:
                    self.audit.remember_head(*before.audit_head)
                if before.generation is None:
                    gone = gone_problem(dialogue_id, before, mark, recorded)
                    if gone is None:
                        raise DialogueNotFound(dialogue_id)
                    raise IntegrityError([gone])
                result, root, event_item = self._read_partition(
                    dialogue_id, before, prefetcher, on_unwrapped, on_slice, attempt
                )
            if result.unwrapped:
                on_unwrapped = None  # called already
            problems = list(result.problems)
            if result.generation == before.generation:
                problems += check_claims(
                    dialogue_id, before.generation, root, before, event_item, mark, recorded
                )
            if not problems and root is not None:
                assert result.document is not None and result.generation is not None
                opened = OpenedDialogue(
                    dialogue_id,
                    result.generation,
                    result.entities,
                    result.key_id,
                    result.document,
                    result.stale_items,
                )
                return opened, [], DialogueMark(result.generation, root_digest(root))
            after = read_state(self.settings, self.audit, dialogue_id)
            if result.generation == before.generation and before.same_claims(after):
                return None, problems, None
            # A writer committed while we read: read again.
        raise ConcurrentWrite(dialogue_id)

    def _read_partition(
        self,
        dialogue_id: str,
        state: RootState,
        prefetcher: Prefetcher,
        on_unwrapped: Callable[[int, str], None] | None,
        on_slice: Callable[[OpenedSlice], None] | None,
        attempt: int,
    ) -> tuple[ReadResult, Mapping[str, Any] | None, Mapping[str, Any] | None]:
        """The partition's pages, fetched by ``prefetcher``'s thread, decrypted here as they arrive.

        Returns the result, the root item read, and the audit event the marker names
        (fetched while a page is on its way: the first, or when streaming the second).
        """
        generation = state.generation
        assert generation is not None
        reader = PartitionReader(
            table=self.settings.table,
            dialogue_id=dialogue_id,
            expected_generation=generation,
            dek_from_item=lambda item: self.keys.unwrap(dialogue_id, item),
            open_root=lambda root, deks: self._open_root(dialogue_id, root, deks),
            collect=on_slice is not None,
        )
        marker = state.marker
        event_item = None
        if marker is not None and on_slice is None:
            # while the first page is on its way
            event_item, marker = self.audit.event(marker.seq), None
        for items in prefetcher.slices():
            reader.feed(items)
            if on_unwrapped is not None and reader.unwrapped:
                on_unwrapped(generation, reader.unwrapped)
                on_unwrapped = None
            if on_slice is not None:
                self._hand_out(reader, on_slice, attempt)
            if marker is not None:
                # streaming: once the first records are out, while the next page is on its way
                event_item, marker = self.audit.event(marker.seq), None
        if marker is not None:
            event_item = self.audit.event(marker.seq)  # an empty partition
        result = reader.finish()
        if on_slice is not None and reader.has_fresh:
            self._hand_out(reader, on_slice, attempt)  # decrypted by finish(): rare
        result.unwrapped = reader.unwrapped is not None
        return result, reader.root, event_item

    @staticmethod
    def _hand_out(reader: PartitionReader, on_slice: Callable[[OpenedSlice], None], attempt: int) -> None:
        fresh = tuple(reader.take_fresh())
        total = reader.records_total
        on_slice(
            OpenedSlice(reader.dialogue_id, reader.generation, attempt, fresh, reader.records_read, total)
        )

    # ---- audit and reset --------------------------------------------------------------------

    def _raise_marks(self, dialogues: Mapping[str, DialogueMark] | None = None) -> None:
        """Raise this machine's high-water marks to what was just read, and to the newest audit
        event this store wrote or read (one write per operation)."""
        self.high_water.record(dialogues=dialogues, audit=self.audit.known_head)

    def _audit_quietly(
        self,
        operation: str,
        key_id: str,
        *,
        outcome: str = "success",
        subject: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a read-side event. A read never fails because its audit event could not be written."""
        with contextlib.suppress(BlueError):
            self.audit.append(
                operation=operation,
                key_id=key_id,
                principal=self.user,
                outcome=outcome,
                trace=self.trace.child(),
                subject=subject,
                detail=detail,
            )

    def reset_local(self) -> int:
        """Wipe every dialogue of the local store and make a fresh local key. Returns dialogues wiped.

        Refused for KMS keys and for endpoints that are not on this machine (see :mod:`.reset`).
        """
        from blue_tui.core.store.reset import reset_local_store

        return reset_local_store(self.settings, self.keys, self.audit, workers=self.write_workers)
