"""The encrypted dialogue store: import, list, open, verify, export, reset.

One partition per dialogue (``PK = dialogue#{id}``) holds:

* ``dek#v{n}``: the dialogue's data key, wrapped by the key provider, with a durable
  count of the messages encrypted under it (never more than 2^32).
* ``{entity_type}#g{gen}#{subkey}``: the entities of generation ``gen``, each one
  AES-256-GCM payload bound to its address (docs/ENVELOPE.md).
* ``manifest#g{gen}#p{k}``: pages listing every entity SK of that generation with
  the SHA-256 of its nonce and ciphertext.
* ``manifest``: the root, naming the committed generation, the digests of its pages
  and a summary; encrypted like an entity.

Writing a new version claims a fresh generation, writes its entities and pages beside
the old ones, then commits by moving the root in one transaction together with the
audit event; readers see either the old version or the new one, never a mix. The
old generation is removed afterwards. Reading checks every item against the manifest,
so a flipped bit, a swapped, deleted, added or rolled-back item is found and named.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
from cryptography.exceptions import InvalidTag

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.audit import (
    HEAD_SK,
    SUBJECT_PREFIX,
    AuditLog,
    ChainConflict,
    TraceContext,
    utc_timestamp,
)
from blue_tui.core.crypto.dek_cache import DekCache
from blue_tui.core.crypto.keys import (
    MAX_MESSAGES_PER_DEK,
    DekContext,
    DekHandle,
    KekHandle,
    KeyProvider,
    WrappedDek,
)
from blue_tui.core.crypto.providers import key_provider
from blue_tui.core.errors import (
    BlueError,
    ConcurrentWrite,
    DialogueExists,
    DialogueNotFound,
    IntegrityError,
    IntegrityProblem,
    KeyProblem,
    SourceError,
)
from blue_tui.core.gcpause import gc_paused
from blue_tui.core.store import table as tbl
from blue_tui.core.store.entities import Entity, split_document, summary
from blue_tui.core.store.prefetch import Prefetcher
from blue_tui.core.store.reader import (
    DEK_PREFIX,
    ROOT_SK,
    PartitionReader,
    ReadResult,
    page_sk,
    sk_generation,
)
from blue_tui.core.store.sources import ParsedDialogue, document_id

PAGE_ENTRIES = 1500
MAX_READ_ATTEMPTS = 5
#: DynamoDB's item limit is 400 KB; leave room for keys and attributes.
MAX_SEALED_BYTES = 390_000

Progress = Callable[[str, int, int], None]


def pk_for(dialogue_id: str) -> str:
    return f"dialogue#{dialogue_id}"


def sk_for(entity_type: str, generation: int, subkey: str) -> str:
    return f"{entity_type}#g{generation:06d}#{subkey}"


def content_digest(entities: Sequence[Entity], bodies: Sequence[bytes]) -> str:
    """What makes two imports "the same": SHA-256 over every entity's address and encoded body."""
    hasher = hashlib.sha256(b"blue.content.v1")
    for entity, body in zip(entities, bodies, strict=True):
        hasher.update(envelope.length_prefixed(entity.entity_type, entity.subkey, body))
    return hasher.hexdigest()


def split_sk(sk: str) -> tuple[str, str]:
    """SK -> (entity type, AAD subkey): everything after the first '#'."""
    entity_type, _, subkey = sk.partition("#")
    return entity_type, subkey


@dataclass
class _RootState:
    generation: Any = None
    marker: int | None = None
    audit_head: tuple[int, str] | None = None


# ---- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    id: str
    source: str
    items: int
    status: str  # created | unchanged | replaced
    generation: int
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "items": self.items,
            "status": self.status,
        }
        out["generation"] = self.generation
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class DialogueSummary:
    id: str
    title: str | None
    status: str | None
    date: str | None
    generation: int
    items: int
    rounds: int
    experts: int
    perspectives: int
    tensions: int
    updated_at: str | None
    #: Set when the dialogue's manifest does not authenticate (see `blue dialogue verify`).
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class OpenedDialogue:
    id: str
    generation: int
    items: int
    key_id: str
    document: dict[str, Any]
    #: Items of other generations: an interrupted write or clean-up left them (harmless).
    stale_items: int = 0


@dataclass
class VerifyReport:
    dialogues: int = 0
    problems: list[IntegrityProblem] = field(default_factory=list)
    stale_items: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "dialogues": self.dialogues,
            "stale_items": self.stale_items,
        }


# ---- the store ------------------------------------------------------------------------------------


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
        write_workers: int = 4,
    ) -> None:
        self.settings = settings
        self.provider = provider or key_provider(settings)
        self.dek_cache = dek_cache or DekCache()
        self.trace = trace or TraceContext.new(settings.env)
        self.audit = AuditLog(settings)
        self.max_messages_per_dek = max_messages_per_dek
        self.write_workers = write_workers
        self._kek: KekHandle | None = None
        self._kek_lock = threading.Lock()

    # ---- keys -------------------------------------------------------------------------------

    @property
    def user(self) -> str:
        return self.settings.user

    def kek(self) -> KekHandle:
        with self._kek_lock:
            if self._kek is None:
                self._kek = self.provider.derive_kek(self.provider.get_umk(), self.user)
            return self._kek

    def _dek_from_item(self, dialogue_id: str, item: Mapping[str, Any]) -> DekHandle:
        version = int(item["SK"]["S"][len(DEK_PREFIX) :])
        cache_key = f"{self.settings.table}/{dialogue_id}/v{version}"

        def unwrap() -> DekHandle:
            wrapped = WrappedDek(item["provider"]["S"], item["kek_id"]["S"], bytes(item["wrapped"]["B"]))
            context = DekContext(item["owner"]["S"], dialogue_id, version)
            return self.provider.decrypt_dek(self.kek(), wrapped, context)

        return self.dek_cache.get(cache_key, unwrap)

    def _new_dek(self, dialogue_id: str, version: int) -> tuple[DekHandle, dict[str, Any]]:
        kek = self.kek()
        dek, wrapped = self.provider.generate_dek(kek, DekContext(self.user, dialogue_id, version))
        item = {
            "PK": {"S": pk_for(dialogue_id)},
            "SK": {"S": f"{DEK_PREFIX}{version}"},
            "entity_type": {"S": "dek"},
            "provider": {"S": wrapped.provider},
            "kek_id": {"S": wrapped.kek_id},
            "owner": {"S": self.user},
            "wrapped": {"B": wrapped.blob},
            "created_at": {"S": utc_timestamp()},
            "encryptions": {"N": "0"},
        }
        return dek, item

    def _writable_dek(self, dialogue_id: str, messages: int, *, known_new: bool = False) -> DekHandle:
        """The dialogue's current DEK with ``messages`` encryptions reserved durably.

        A new DEK version is made when there is none, or when the current one would
        pass the per-key message limit; it is written in one transaction with its
        `wrap_dek` audit event. ``known_new`` (no committed version yet) skips looking
        for existing keys: creating v1 fails cleanly if one is there after all.
        """
        pk = pk_for(dialogue_id)
        client = dynamodb_client(self.settings)
        if messages > self.max_messages_per_dek:
            raise KeyProblem(f"one write of {messages} items exceeds the per-key limit")
        version = 0
        if not known_new:
            version = max(
                (int(item["SK"]["S"][len(DEK_PREFIX) :]) for item in self._dek_items(pk)), default=0
            )
        for _ in range(8):
            if version:
                with tbl.translated(self.settings):
                    try:
                        answer = client.update_item(
                            TableName=self.settings.table,
                            Key={"PK": {"S": pk}, "SK": {"S": f"{DEK_PREFIX}{version}"}},
                            UpdateExpression="ADD encryptions :n",
                            ConditionExpression="attribute_exists(PK) AND encryptions <= :room",
                            ExpressionAttributeValues={
                                ":n": {"N": str(messages)},
                                ":room": {"N": str(self.max_messages_per_dek - messages)},
                            },
                            ReturnValues="ALL_NEW",
                        )
                        dek = self._dek_from_item(dialogue_id, answer["Attributes"])
                        dek.reserve(messages)
                        return dek
                    except botocore.exceptions.ClientError as exc:
                        if error_code(exc) != "ConditionalCheckFailedException":
                            raise
            # No DEK yet, or the current one is spent: make the next version.
            version += 1
            dek, item = self._new_dek(dialogue_id, version)
            item["encryptions"] = {"N": str(messages)}
            create = {
                "Put": {
                    "TableName": self.settings.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(SK)",
                }
            }
            try:
                self.audit.append(
                    operation="wrap_dek",
                    key_id=dek.key_id,
                    principal=self.user,
                    trace=self.trace.child(),
                    subject=dialogue_id,
                    detail={"kek": item["kek_id"]["S"], "provider": item["provider"]["S"]},
                    extra_actions=[create],
                )
            except ChainConflict:
                continue  # that version exists (another writer, or an interrupted write): reserve on it
            self.dek_cache.put(f"{self.settings.table}/{dialogue_id}/v{version}", dek)
            dek.reserve(messages)
            return dek
        raise ConcurrentWrite(dialogue_id)

    # ---- sealing ----------------------------------------------------------------------------

    def _aad(self, dialogue_id: str, sk: str, key_id: str) -> bytes:
        entity_type, subkey = split_sk(sk)
        return envelope.build_aad(
            table=self.settings.table,
            dialogue_id=dialogue_id,
            entity_type=entity_type,
            subkey=subkey,
            key_id=key_id,
        )

    def _seal_item(
        self,
        dek: DekHandle,
        dialogue_id: str,
        sk: str,
        payload: Any,
        clear: Mapping[str, str],
        body: bytes = b"",
        aad_for: envelope.AadBuilder | None = None,
    ) -> dict[str, Any]:
        """An encrypted item for ``payload`` (or for its already encoded ``body``)."""
        body = body or envelope.encode_body(payload)
        entity_type, subkey = split_sk(sk)
        aad_for = aad_for or envelope.AadBuilder(self.settings.table, dialogue_id)
        nonce, sealed = dek.seal(body, aad_for(entity_type, subkey, dek.key_id))
        if len(sealed) > MAX_SEALED_BYTES:
            raise SourceError(
                dialogue_id,
                f"item {sk} is {len(sealed)} bytes after compression, over DynamoDB's 400 KB item limit",
            )
        item: dict[str, Any] = {
            "PK": {"S": pk_for(dialogue_id)},
            "SK": {"S": sk},
            "entity_type": {"S": entity_type},
            "key_id": {"S": dek.key_id},
            "content_encrypted": {"B": sealed},
            "content_nonce": {"B": nonce},
        }
        for name, value in clear.items():
            item[name] = {"S": value}
        return item

    def _unseal(self, dek: DekHandle, dialogue_id: str, item: Mapping[str, Any]) -> Any:
        return envelope.decode_body(
            dek.open(
                bytes(item["content_nonce"]["B"]),
                bytes(item["content_encrypted"]["B"]),
                self._aad(dialogue_id, item["SK"]["S"], item["key_id"]["S"]),
            )
        )

    # ---- import -----------------------------------------------------------------------------

    def import_dialogue(
        self, parsed: ParsedDialogue, *, replace: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        """Write one parsed dialogue. Unchanged content is a no-op; changed content needs ``replace``."""
        # Thousands of entities, bodies and items stay alive until the commit; left on,
        # the cyclic GC would rescan them over and over while requests are serialized.
        with gc_paused():
            return self._import(parsed, replace=replace, progress=progress)

    def _import(self, parsed: ParsedDialogue, *, replace: bool, progress: Progress | None) -> ImportResult:
        dialogue_id = document_id(parsed.document, parsed.source)
        doc = parsed.document
        pk = pk_for(dialogue_id)
        entities = split_document(doc)
        bodies = [envelope.encode_body(entity.payload) for entity in entities]
        digest = content_digest(entities, bodies)
        root = tbl.get_item(self.settings, pk, ROOT_SK)
        committed = int(root["gen"]["N"]) if root and "gen" in root else None
        if root is not None and committed is not None:
            deks = {item["SK"]["S"]: item for item in self._dek_items(pk)}
            old = self._open_root(dialogue_id, root, deks)
            if old.get("digest") == digest:
                return ImportResult(
                    dialogue_id,
                    parsed.source,
                    int(old.get("items", 0)),
                    "unchanged",
                    committed,
                    tuple(parsed.warnings),
                )
            if not replace:
                raise DialogueExists(dialogue_id, parsed.source)

        generation = self._claim_generation(pk)
        pages = (len(entities) + PAGE_ENTRIES - 1) // PAGE_ENTRIES
        dek = self._writable_dek(dialogue_id, len(entities) + pages + 1, known_new=committed is None)
        # Seal everything, then write on several threads. (Sealing while writing is not
        # faster: with one GIL the sealing loop and the writers take turns, and DynamoDB
        # waits between requests.)
        entries: list[list[str]] = []
        aad_for = envelope.AadBuilder(self.settings.table, dialogue_id)
        total = len(entities) + pages
        sealed: list[dict[str, Any]] = []
        for done, (entity, body) in enumerate(zip(entities, bodies, strict=True)):
            if progress and not done % 1000:
                progress("seal", done, total)
            sk = sk_for(entity.entity_type, generation, entity.subkey)
            item = self._seal_item(dek, dialogue_id, sk, entity.payload, entity.cleartext(), body, aad_for)
            entries.append(
                [sk, envelope.item_digest(item["content_nonce"]["B"], item["content_encrypted"]["B"])]
            )
            sealed.append(item)
        page_digests = []
        for k in range(pages):
            page_payload = {
                "gen": generation,
                "page": k,
                "entries": entries[k * PAGE_ENTRIES : (k + 1) * PAGE_ENTRIES],
            }
            page_item = self._seal_item(dek, dialogue_id, page_sk(generation, k), page_payload, {})
            page_digests.append(
                envelope.item_digest(page_item["content_nonce"]["B"], page_item["content_encrypted"]["B"])
            )
            sealed.append(page_item)
        with tbl.BatchWriter(self.settings, workers=self.write_workers) as writer:
            for done, item in enumerate(sealed):
                if progress and not done % 1000:
                    progress("write", done, total)
                writer.put(item)
        if progress:
            progress("write", total, total)

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
        root_item = self._seal_item(dek, dialogue_id, ROOT_SK, root_payload, {})
        try:
            self.audit.append(
                operation="import",
                key_id=dek.key_id,
                principal=self.user,
                trace=self.trace.child(),
                subject=dialogue_id,
                detail={"generation": generation, "items": len(entities), "status": status},
                record_generation=generation,
                extra_actions=[self._commit_action(dialogue_id, generation, committed, root_item, doc)],
            )
        except ChainConflict:
            self._delete_generations(pk, keep=committed, only=generation)
            raise ConcurrentWrite(dialogue_id) from None
        if generation > 1:
            self._delete_generations(pk, keep=generation)
        return ImportResult(
            dialogue_id, parsed.source, len(entities), status, generation, tuple(parsed.warnings)
        )

    def _claim_generation(self, pk: str) -> int:
        """A generation number no other writer will ever use (atomic counter on the root)."""
        client = dynamodb_client(self.settings)
        with tbl.translated(self.settings):
            answer = client.update_item(
                TableName=self.settings.table,
                Key={"PK": {"S": pk}, "SK": {"S": ROOT_SK}},
                UpdateExpression="ADD next_gen :one SET entity_type = :t",
                ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": "manifest"}},
                ReturnValues="UPDATED_NEW",
            )
        return int(answer["Attributes"]["next_gen"]["N"])

    def _commit_action(
        self,
        dialogue_id: str,
        generation: int,
        committed: int | None,
        root_item: Mapping[str, Any],
        doc: Mapping[str, Any],
    ) -> dict[str, Any]:
        now = utc_timestamp()
        values: dict[str, Any] = {
            ":g": {"N": str(generation)},
            ":k": {"S": "dialogue"},
            ":id": {"S": dialogue_id},
            ":u": {"S": now},
            ":kid": root_item["key_id"],
            ":c": root_item["content_encrypted"],
            ":n": root_item["content_nonce"],
        }
        sets = [
            "gen = :g",
            "kind = :k",
            "kind_key = :id",
            "updated_at = :u",
            "created_at = if_not_exists(created_at, :u)",
            "key_id = :kid",
            "content_encrypted = :c",
            "content_nonce = :n",
        ]
        names: dict[str, str] = {}
        status = doc.get("status")
        removes = []
        if isinstance(status, str) and status:
            sets.append("#st = :st")
            values[":st"] = {"S": status[:200]}
            names["#st"] = "status"
        else:
            removes.append("#st")
            names["#st"] = "status"
        update = {
            "TableName": self.settings.table,
            "Key": {"PK": {"S": pk_for(dialogue_id)}, "SK": {"S": ROOT_SK}},
            "UpdateExpression": "SET "
            + ", ".join(sets)
            + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ExpressionAttributeValues": values,
            "ExpressionAttributeNames": names,
        }
        if committed is None:
            update["ConditionExpression"] = "attribute_not_exists(gen)"
        else:
            update["ConditionExpression"] = "gen = :prev"
            values[":prev"] = {"N": str(committed)}
        return {"Update": update}

    def _delete_generations(self, pk: str, *, keep: int | None, only: int | None = None) -> int:
        """Remove entity and page items of generations other than ``keep`` (or exactly ``only``)."""
        doomed = []
        for page in tbl.query_partition(self.settings, pk, keys_only=True):
            for key in page:
                sk = key["SK"]["S"]
                gen = sk_generation(sk)
                if gen is None or gen == keep or (only is not None and gen != only):
                    continue
                doomed.append({"PK": key["PK"], "SK": key["SK"]})
        tbl.batch_write(self.settings, deletes=doomed, workers=self.write_workers)
        return len(doomed)

    def _dek_items(self, pk: str) -> list[dict[str, Any]]:
        client = dynamodb_client(self.settings)
        with tbl.translated(self.settings):
            answer = client.query(
                TableName=self.settings.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :d)",
                ExpressionAttributeValues={":pk": {"S": pk}, ":d": {"S": DEK_PREFIX}},
                ConsistentRead=True,
            )
        items: list[dict[str, Any]] = answer.get("Items", [])
        return items

    def _open_root(
        self, dialogue_id: str, root: Mapping[str, Any], deks: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Decrypt a root; raises IntegrityError naming it when it does not authenticate."""
        key_id = root.get("key_id", {}).get("S", "")
        version = key_id.rsplit("#v", 1)[-1]
        dek_item = deks.get(f"{DEK_PREFIX}{version}")
        if dek_item is None:
            raise IntegrityError(
                [
                    IntegrityProblem(
                        dialogue_id, f"{DEK_PREFIX}{version}", "missing", "the data key item is gone"
                    )
                ]
            )
        dek = self._dek_from_item(dialogue_id, dek_item)
        try:
            payload = self._unseal(dek, dialogue_id, root)
        except (InvalidTag, ValueError, KeyError, zlib.error):
            raise IntegrityError(
                [IntegrityProblem(dialogue_id, ROOT_SK, "tampered", "the manifest does not authenticate")]
            ) from None
        if not isinstance(payload, dict) or payload.get("gen") != int(root["gen"]["N"]):
            raise IntegrityError(
                [IntegrityProblem(dialogue_id, ROOT_SK, "tampered", "the manifest's generation was altered")]
            )
        return payload

    # ---- reading ----------------------------------------------------------------------------

    def list_dialogues(self) -> list[DialogueSummary]:
        roots = [r for r in tbl.query_index(self.settings, "dialogue") if "gen" in r]
        if not roots:
            return []
        dek_keys = []
        for root in roots:
            version = root["key_id"]["S"].rsplit("#v", 1)[-1]
            dek_keys.append((root["PK"]["S"], f"{DEK_PREFIX}{version}"))
        deks = {(item["PK"]["S"], item["SK"]["S"]): item for item in tbl.batch_get(self.settings, dek_keys)}
        out = []
        for root, key in zip(roots, dek_keys, strict=True):
            dialogue_id = root["kind_key"]["S"]
            problem = None
            try:
                payload = self._open_root(dialogue_id, root, {key[1]: deks[key]} if key in deks else {})
            except IntegrityError as exc:
                payload, problem = {}, str(exc)
            info = payload.get("summary", {})
            out.append(
                DialogueSummary(
                    id=dialogue_id,
                    title=info.get("title"),
                    status=info.get("status"),
                    date=info.get("date"),
                    generation=int(root["gen"]["N"]),
                    items=int(payload.get("items", 0)),
                    rounds=int(info.get("rounds", 0)),
                    experts=int(info.get("experts", 0)),
                    perspectives=int(info.get("perspectives", 0)),
                    tensions=int(info.get("tensions", 0)),
                    updated_at=root.get("updated_at", {}).get("S"),
                    problem=problem,
                )
            )
        self._audit_quietly("list", self.kek().key_id, detail={"dialogues": len(out)})
        return sorted(out, key=lambda s: s.id)

    def open(self, dialogue_id: str) -> OpenedDialogue:
        """Load, verify and assemble one dialogue. Raises IntegrityError on any finding.

        The `open` audit event is written while the remaining pages load, as soon as the
        data key has been unwrapped (the crypto operation it records); a dialogue that
        then fails verification gets a second event with outcome `failure`.
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
            opened, problems = self._read(dialogue_id, on_unwrapped=record)
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
        assert opened is not None
        return opened

    def export(self, dialogue_id: str) -> dict[str, Any]:
        return self.open(dialogue_id).document

    def verify(self, dialogue_id: str | None = None) -> VerifyReport:
        report = VerifyReport()
        ids = [dialogue_id] if dialogue_id else self._committed_ids()
        for ident in ids:
            try:
                opened, problems = self._read(ident)
            except IntegrityError as exc:
                opened, problems = None, exc.problems
            report.dialogues += 1
            report.problems.extend(problems)
            if opened is not None:
                report.stale_items += opened.stale_items
        self._audit_quietly(
            "verify",
            self.kek().key_id,
            outcome="success" if report.ok else "failure",
            detail={"dialogues": report.dialogues, "problems": len(report.problems)},
        )
        return report

    def _committed_ids(self) -> list[str]:
        return sorted(r["kind_key"]["S"] for r in tbl.query_index(self.settings, "dialogue") if "gen" in r)

    def _read(
        self, dialogue_id: str, *, on_unwrapped: Callable[[int, str], None] | None = None
    ) -> tuple[OpenedDialogue | None, list[IntegrityProblem]]:
        """Read and verify a partition; ``on_unwrapped(generation, key_id)`` is called once,
        when its data key has been unwrapped."""
        for _ in range(MAX_READ_ATTEMPTS):
            before = self._root_and_marker(dialogue_id)
            result = self._read_partition(dialogue_id, before.generation, before.marker, on_unwrapped)
            if result.unwrapped:
                on_unwrapped = None  # called already
            if before.audit_head is not None:
                self.audit.remember_head(*before.audit_head)
            if not result.problems:
                assert result.document is not None and result.generation is not None
                opened = OpenedDialogue(
                    dialogue_id,
                    result.generation,
                    result.entities,
                    result.key_id,
                    result.document,
                    result.stale_items,
                )
                return opened, []
            after = self._root_and_marker(dialogue_id)
            if result.generation == before.generation == after.generation:
                return None, result.problems
            # A writer committed while we read: read again.
        raise ConcurrentWrite(dialogue_id)

    def _read_partition(
        self,
        dialogue_id: str,
        generation: int,
        marker: int | None,
        on_unwrapped: Callable[[int, str], None] | None = None,
    ) -> ReadResult:
        """One paginated Query, pages fetched on a helper thread and decrypted here as they arrive."""
        with gc_paused():
            return self._read_pages(dialogue_id, generation, marker, on_unwrapped)

    def _read_pages(
        self,
        dialogue_id: str,
        generation: int,
        marker: int | None,
        on_unwrapped: Callable[[int, str], None] | None,
    ) -> ReadResult:
        reader = PartitionReader(
            table=self.settings.table,
            dialogue_id=dialogue_id,
            expected_generation=generation,
            marker_generation=marker,
            dek_from_item=lambda item: self._dek_from_item(dialogue_id, item),
            open_root=lambda root, deks: self._open_root(dialogue_id, root, deks),
        )
        with Prefetcher(self.settings, pk_for(dialogue_id)) as prefetcher:
            for items in prefetcher.slices():
                reader.feed(items)
                if on_unwrapped is not None and reader.unwrapped:
                    on_unwrapped(generation, reader.unwrapped)
                    on_unwrapped = None
        result = reader.finish()
        result.unwrapped = reader.unwrapped is not None
        return result

    def _root_and_marker(self, dialogue_id: str) -> _RootState:
        """The committed generation, the audit log's record of it, and the audit chain's head (one request)."""
        pk = pk_for(dialogue_id)
        got = tbl.batch_get(
            self.settings,
            [(pk, ROOT_SK), (self.audit.pk, f"{SUBJECT_PREFIX}{dialogue_id}"), (self.audit.pk, HEAD_SK)],
        )
        state = _RootState()
        for item in got:
            sk = item["SK"]["S"]
            if item["PK"]["S"] == pk:
                state.generation = int(item["gen"]["N"]) if "gen" in item else None
            elif sk == HEAD_SK:
                state.audit_head = (int(item["seq"]["N"]), item["hash"]["S"])
            else:
                state.marker = int(item["gen"]["N"])
        if state.generation is None:
            raise DialogueNotFound(dialogue_id)
        return state

    # ---- audit and reset --------------------------------------------------------------------

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

        Refused for KMS keys and for endpoints that are not on this machine: the
        remedy for a lost local key must never touch production data.
        """
        from blue_tui.core.crypto.local_provider import LocalFileKeyProvider

        if not isinstance(self.provider, LocalFileKeyProvider):
            raise KeyProblem("only the local key provider can be reset", hint="unset BLUE_KEY_PROVIDER=kms")
        if not self.settings.endpoint_is_local:
            raise KeyProblem(
                f"refusing to wipe dialogues at {self.settings.endpoint_label}: not a local endpoint",
                hint="reset works only against DynamoDB Local (DYNAMODB_ENDPOINT on 127.0.0.1)",
            )
        client = dynamodb_client(self.settings)
        doomed: list[dict[str, Any]] = []
        dialogues = set()
        kwargs: dict[str, Any] = {
            "TableName": self.settings.table,
            "ProjectionExpression": "PK, SK",
            "FilterExpression": "begins_with(PK, :d) OR (PK = :a AND begins_with(SK, :s))",
            "ExpressionAttributeValues": {
                ":d": {"S": "dialogue#"},
                ":a": {"S": self.audit.pk},
                ":s": {"S": SUBJECT_PREFIX},
            },
        }
        with tbl.translated(self.settings):
            while True:
                page = client.scan(**kwargs)
                for key in page.get("Items", []):
                    doomed.append(key)
                    if key["PK"]["S"].startswith("dialogue#"):
                        dialogues.add(key["PK"]["S"])
                if not page.get("LastEvaluatedKey"):
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        tbl.batch_write(self.settings, deletes=doomed, workers=self.write_workers)
        fingerprint = self.provider.create(replace=True)
        with self._kek_lock:
            self._kek = None
        self.dek_cache.invalidate()
        self.audit.append(
            operation="reset",
            key_id=f"local:{fingerprint}",
            principal=self.user,
            trace=self.trace.child(),
            detail={"dialogues_wiped": len(dialogues), "items_wiped": len(doomed)},
        )
        return len(dialogues)
