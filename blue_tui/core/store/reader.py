"""Reading one dialogue partition: decrypt and verify items as pages arrive.

Opening a dialogue should cost little more than the Query itself, so nothing waits
for the last page: items are authenticated and decoded while the next page is on its
way (the caller feeds pages from a fetching thread), and checked against the
manifest as soon as its pages have been seen (SK order puts the manifest mid-way,
so earlier items wait in a short queue). :meth:`PartitionReader.finish` then only
looks for missing items and assembles the document.

With ``collect``, the entities are also handed out as they are decrypted
(:meth:`PartitionReader.take_fresh`), so a caller can show a dialogue's first records
while the rest is read; they are authenticated item by item, not yet verified as a whole.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.keys import DekHandle
from blue_tui.core.errors import DialogueNotFound, IntegrityError, IntegrityProblem
from blue_tui.core.store.entities import CLEARTEXT_FIELDS, Assembler, Entity, cleartext_for

ROOT_SK = "manifest"
PAGE_PREFIX = "manifest#"
DEK_PREFIX = "dek#v"
_FAILED = object()


def page_sk(generation: int, page: int) -> str:
    return f"{PAGE_PREFIX}g{generation:06d}#p{page:04d}"


def sk_generation(sk: str) -> int | None:
    parts = sk.split("#", 2)
    if len(parts) >= 2 and len(parts[1]) == 7 and parts[1][0] == "g" and parts[1][1:].isdigit():
        return int(parts[1][1:])
    return None


def _cleartext_matches(entity_type: str, payload: Any, item: Mapping[str, Any]) -> bool:
    """Do the item's cleartext status/timestamp copies equal the payload's values? (Fast check.)"""
    fields = CLEARTEXT_FIELDS.get(entity_type)
    if not fields:
        return True
    data = payload if entity_type == "ref" else payload.get("data")
    if not isinstance(data, dict):
        return True
    for attr, source in fields:
        value = data.get(source)
        if isinstance(value, str) and value and item.get(attr, _NO_ATTR).get("S") != value[:200]:
            return False
    return True


_NO_ATTR: Mapping[str, Any] = {}


@dataclass
class ReadResult:
    generation: int | None
    key_id: str
    entities: int
    document: dict[str, Any] | None
    problems: list[IntegrityProblem]
    stale_items: int
    #: Whether a data key was unwrapped during the read.
    unwrapped: bool = False


class _ManifestNotReady(Exception):
    pass


class PartitionReader:
    """Feed it the items of one partition, page by page; then call :meth:`finish`.

    ``expected_generation`` is the generation the root named just before the Query;
    ``open_root`` decrypts a root given the DEK items seen; ``dek_from_item`` unwraps
    (through the store's cache). With ``collect``, every entity of that generation is
    also kept for :meth:`take_fresh` once, when it is first decrypted.
    """

    def __init__(
        self,
        *,
        table: str,
        dialogue_id: str,
        expected_generation: int,
        dek_from_item: Callable[[Mapping[str, Any]], DekHandle],
        open_root: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]],
        collect: bool = False,
    ) -> None:
        self.dialogue_id = dialogue_id
        self.generation = expected_generation
        self._dek_from_item = dek_from_item
        self._open_root = open_root
        self._aad = envelope.AadBuilder(table, dialogue_id)
        self._gen_tag = f"g{expected_generation:06d}"
        self._deks_by_key_id: dict[str, DekHandle | None] = {}
        self.root: Mapping[str, Any] | None = None
        self.deks: dict[str, Mapping[str, Any]] = {}
        self.pages: dict[str, Mapping[str, Any]] = {}
        self.other_generations = 0
        self.problems: list[IntegrityProblem] = []
        self.assembler = Assembler()
        self._pending: list[tuple[str, str | None, Any, Mapping[str, Any]]] = []
        self._page_count: int | None = None
        self._expected: dict[str, str] | None = None
        self._by_digest: dict[str, str] = {}
        self._manifest_failed = False
        self._manifest: dict[str, Any] = {}
        #: The id of the first data key unwrapped (the moment key material was used), if any.
        self.unwrapped: str | None = None
        #: Entities decrypted since the last take_fresh() (None: not collected).
        self._fresh: list[Entity] | None = [] if collect else None
        #: Entities handed out so far.
        self.records_read = 0

    @property
    def records_total(self) -> int | None:
        """How many entities the manifest lists, once the root has been decrypted."""
        items = self._manifest.get("items")
        return items if isinstance(items, int) else None

    @property
    def has_fresh(self) -> bool:
        return bool(self._fresh)

    def take_fresh(self) -> list[Entity]:
        """The entities decrypted since the last call, in the order they were read."""
        fresh = self._fresh
        if not fresh:
            return []
        self._fresh = []
        self.records_read += len(fresh)
        return fresh

    # ---- decryption ------------------------------------------------------------------------------

    def _dek(self, key_id: str) -> DekHandle | None:
        if key_id in self._deks_by_key_id:
            return self._deks_by_key_id[key_id]
        dek_item = self.deks.get(f"{DEK_PREFIX}{key_id.rsplit('#v', 1)[-1]}")
        if dek_item is None:
            return None  # not seen yet: tried again later
        handle = self._deks_by_key_id[key_id] = self._dek_from_item(dek_item)
        self.unwrapped = self.unwrapped or key_id
        return handle

    def _unseal(self, sk: str, item: Mapping[str, Any]) -> Any:
        key_id = item["key_id"]["S"]
        dek = self._dek(key_id)
        if dek is None:
            return None
        entity_type, _, subkey = sk.partition("#")
        aad = self._aad(entity_type, subkey, key_id)
        try:
            return envelope.decode_body(
                dek.open(item["content_nonce"]["B"], item["content_encrypted"]["B"], aad)
            )
        except (InvalidTag, ValueError, zlib.error, IndexError):
            return _FAILED

    # ---- feeding ---------------------------------------------------------------------------------

    def feed(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Take one page of items: authenticate and decode each, verify it once the manifest is known.

        This loop is the hot path of opening a dialogue (with 10,000 items, every
        microsecond here costs 10 ms), hence the local names and the inlined common case.
        """
        gen_tag = self._gen_tag
        accept = self._accept
        aad_for = self._aad
        deks = self._deks_by_key_id
        decode = envelope.decode_body
        sha256 = hashlib.sha256
        add_entity = self.assembler.add
        expected = self._expected
        fresh = self._fresh
        for item in items:
            sk: str = item["SK"]["S"]
            parts = sk.split("#", 2)
            if len(parts) == 3 and parts[1] == gen_tag and parts[0] != "manifest":
                try:
                    nonce = item["content_nonce"]["B"]
                    sealed = item["content_encrypted"]["B"]
                    key_id = item["key_id"]["S"]
                except KeyError:
                    accept(sk, None, _FAILED, item)
                    continue
                digest = sha256(nonce + sealed).hexdigest()
                dek = deks.get(key_id) or self._dek(key_id)
                if dek is None:
                    accept(sk, digest, None, item)  # its DEK item comes later: decrypted then
                    continue
                entity_type, natural = parts[0], parts[2]
                aad = aad_for(entity_type, sk[len(entity_type) + 1 :], key_id)
                try:
                    payload = decode(dek.open(nonce, sealed, aad))
                except (InvalidTag, ValueError, zlib.error, IndexError):
                    accept(sk, digest, _FAILED, item)
                    continue
                entity = Entity(entity_type, natural, payload)
                if fresh is not None and type(payload) is dict:
                    fresh.append(entity)
                if expected is not None and expected.get(sk) == digest and isinstance(payload, dict):
                    # The common case: listed in the manifest, unchanged, authentic.
                    del expected[sk]
                    if not _cleartext_matches(entity_type, payload, item):
                        self._cleartext_problems(sk, entity_type, payload, item)
                    add_entity(entity)
                else:
                    accept(sk, digest, payload, item)
            elif len(parts) == 3 and parts[1] == gen_tag:
                self.pages[sk] = item
                self._try_manifest()
                expected = self._expected
            elif sk == ROOT_SK:
                self.root = item
                self._try_manifest()
                expected = self._expected
            elif sk.startswith(DEK_PREFIX):
                self.deks[sk] = item
                if self._pending:
                    self._unseal_waiting()
            elif sk_generation(sk) not in (None, self.generation):
                self.other_generations += 1  # an older or unfinished version: not part of this one
            else:
                accept(sk, None, _FAILED, item)  # an SK of no known shape: "added" once verified
        self._drain(max(len(items), 64))

    def _drain(self, limit: int | None = None) -> None:
        """Verify up to ``limit`` of the items that arrived before the manifest (all: None)."""
        if self._expected is None or not self._pending:
            return
        take = len(self._pending) if limit is None else min(limit, len(self._pending))
        batch, self._pending = self._pending[:take], self._pending[take:]
        for entry in batch:
            self._accept(*entry)

    def _unseal_waiting(self) -> None:
        """Decrypt the waiting items that came before their data key (``claim#`` sorts before
        ``dek#``), so they are handed out in order rather than once the manifest is read."""
        for n, (sk, digest, waiting, item) in enumerate(self._pending):
            if waiting is None and digest is not None:
                payload = self._unseal(sk, item)
                if payload is not None:
                    self._pending[n] = (sk, digest, payload, item)
                    self._emit(sk, payload)

    def _emit(self, sk: str, payload: Any) -> None:
        if self._fresh is not None and type(payload) is dict:
            entity_type, _, rest = sk.partition("#")
            self._fresh.append(Entity(entity_type, rest.partition("#")[2], payload))

    def _try_manifest(self) -> None:
        """Build the expected digests once the root and all of its pages have been seen."""
        if self._expected is not None or self._manifest_failed or self.root is None:
            return
        if self._page_count is None:
            if "gen" not in self.root or int(self.root["gen"]["N"]) != self.generation:
                return  # finish() reports it
            try:
                self._manifest = self._open_root(self.root, self.deks)
            except IntegrityError as exc:
                self.problems.extend(exc.problems)
                self._manifest_failed = True
                return
            self._page_count = len(self._manifest.get("pages", []))
        wanted = [page_sk(self.generation, k) for k in range(self._page_count)]
        if not all(sk in self.pages for sk in wanted):
            return
        expected: dict[str, str] = {}
        for sk, page_digest in zip(wanted, self._manifest.get("pages", []), strict=True):
            page_item = self.pages[sk]
            actual = envelope.item_digest(
                page_item["content_nonce"]["B"], page_item["content_encrypted"]["B"]
            )
            page = self._unseal(sk, page_item) if actual == page_digest else _FAILED
            if not isinstance(page, dict):
                self.problems.append(self._problem(sk, "tampered", "a manifest page does not authenticate"))
                self._manifest_failed = True
                return
            expected.update((entry[0], entry[1]) for entry in page["entries"])
        self._expected = expected
        self._by_digest = {digest: sk for sk, digest in expected.items()}
        # The items that arrived before the manifest are verified a slice at a time by
        # later calls to feed() (and the rest by finish()), not in one long stretch here.

    # ---- verification ------------------------------------------------------------------------------

    def _problem(self, sk: str, kind: str, message: str) -> IntegrityProblem:
        return IntegrityProblem(self.dialogue_id, sk, kind, message)

    def _accept(self, sk: str, digest: str | None, payload: Any, item: Mapping[str, Any]) -> None:
        expected = self._expected
        if expected is None:
            self._pending.append((sk, digest, payload, item))
            return
        want = expected.pop(sk, None)
        if want is None:
            self.problems.append(self._problem(sk, "added", "this item is not in the manifest"))
            return
        if digest is None:
            self.problems.append(self._problem(sk, "tampered", "the item lost its encrypted content"))
            return
        if payload is None:
            payload = self._unseal(sk, item)  # its DEK item had not arrived yet
            self._emit(sk, payload)
        if digest != want:
            other = self._by_digest.get(digest)
            if other is not None:
                self.problems.append(
                    self._problem(sk, "swapped", f"this item holds the ciphertext of {other}")
                )
            elif payload is _FAILED or payload is None:
                self.problems.append(
                    self._problem(sk, "tampered", "the ciphertext, nonce or tag was modified")
                )
            else:
                message = "an older, valid ciphertext replaced the current one"
                self.problems.append(self._problem(sk, "rolled-back", message))
            return
        if payload is _FAILED or payload is None:
            message = "the item does not authenticate (key id or address changed)"
            self.problems.append(self._problem(sk, "tampered", message))
            return
        entity_type, _, rest = sk.partition("#")
        if not _cleartext_matches(entity_type, payload, item):
            self._cleartext_problems(sk, entity_type, payload, item)
        self.assembler.add(Entity(entity_type, rest.partition("#")[2], payload))

    def _cleartext_problems(self, sk: str, entity_type: str, payload: Any, item: Mapping[str, Any]) -> None:
        for name, value in cleartext_for(entity_type, payload).items():
            if item.get(name, {}).get("S") != value:
                self.problems.append(
                    self._problem(sk, "cleartext-mismatch", f"the cleartext {name!r} was altered")
                )

    def _root_cleartext_problems(self, root: Mapping[str, Any], generation: int) -> list[IntegrityProblem]:
        """The root's cleartext copies: index keys, status, and the generation counter."""
        summary = self._manifest.get("summary")
        status = summary.get("status") if isinstance(summary, dict) else None
        expected = {
            "kind": "dialogue",
            "kind_key": self.dialogue_id,
            "status": status[:200] if isinstance(status, str) and status else None,
        }
        problems = []
        for name, value in expected.items():
            if root.get(name, {}).get("S") != value:
                hidden = " (the dialogue is hidden from the index)" if name != "status" else ""
                message = f"the cleartext {name!r} was altered or removed{hidden}"
                problems.append(self._problem(ROOT_SK, "cleartext-mismatch", message))
        counter = root.get("next_gen", {}).get("N")
        if counter is None or not counter.isdigit() or int(counter) < generation:
            message = f"the generation counter next_gen ({counter}) was set below generation {generation}"
            problems.append(self._problem(ROOT_SK, "cleartext-mismatch", message))
        return problems

    def finish(self) -> ReadResult:
        self._drain()
        root = self.root
        if root is None or "gen" not in root:
            raise DialogueNotFound(self.dialogue_id)
        generation = int(root["gen"]["N"])
        key_id = root.get("key_id", {}).get("S", "")
        if generation != self.generation:
            # A writer committed between our look at the root and the Query: the caller reads again.
            return ReadResult(generation, key_id, 0, None, [self._problem(ROOT_SK, "moved", "moved")], 0)
        problems = self.problems
        if self._expected is None and not self._manifest_failed:
            for k in range(self._page_count or 0):
                if page_sk(generation, k) not in self.pages:
                    problems.append(
                        self._problem(page_sk(generation, k), "missing", "a manifest page was deleted")
                    )
        if self._expected is None:
            return ReadResult(generation, key_id, 0, None, problems, self.other_generations)
        problems.extend(self._root_cleartext_problems(root, generation))
        for sk in self._expected:
            problems.append(self._problem(sk, "missing", "this item was deleted"))
        count = self.assembler.count
        if problems:
            return ReadResult(generation, key_id, count, None, problems, self.other_generations)
        try:
            document = self.assembler.document()
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            problems = [self._problem(ROOT_SK, "malformed", f"the entities do not assemble ({exc})")]
            return ReadResult(generation, key_id, count, None, problems, self.other_generations)
        return ReadResult(generation, key_id, count, document, [], self.other_generations)
