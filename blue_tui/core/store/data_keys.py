"""A dialogue's data keys in the table: ``dek#v{n}`` items, their unwrapping and their budget.

Each DEK item holds the wrapped key, the provider and key that wrapped it, the user it
is bound to, and ``encryptions``: how many messages were ever encrypted under it. A
writer reserves its count first (``ADD encryptions :k`` on the condition that the
total stays within 2^32, NIST SP 800-38D section 8.3); a key that would pass it is
followed by the next version, made in one transaction with its `wrap_dek` audit event.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import botocore.exceptions

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import TraceContext, utc_timestamp
from blue_tui.core.crypto.dek_cache import DekCache
from blue_tui.core.crypto.keys import DekContext, DekHandle, KekHandle, KeyProvider, WrappedDek
from blue_tui.core.errors import ConcurrentWrite, IntegrityError, IntegrityProblem, KeyProblem
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog, ChainConflict
from blue_tui.core.store.reader import DEK_PREFIX
from blue_tui.core.store.sealing import pk_for

MAX_CREATE_ATTEMPTS = 8


def dek_version(item: Mapping[str, Any]) -> int:
    return int(item["SK"]["S"][len(DEK_PREFIX) :])


class DataKeys:
    """The data keys of every dialogue in one table, for one user. Thread-safe."""

    def __init__(
        self,
        settings: Settings,
        provider: KeyProvider,
        dek_cache: DekCache,
        audit: AuditLog,
        trace: TraceContext,
        max_messages: int,
    ) -> None:
        self.settings = settings
        self.provider = provider
        self.cache = dek_cache
        self.audit = audit
        self.trace = trace
        self.max_messages = max_messages
        self._kek: KekHandle | None = None
        self._kek_lock = threading.Lock()

    @property
    def user(self) -> str:
        return self.settings.user

    def kek(self) -> KekHandle:
        with self._kek_lock:
            if self._kek is None:
                self._kek = self.provider.derive_kek(self.provider.get_umk(), self.user)
            return self._kek

    def forget(self) -> None:
        """Drop the KEK and every cached DEK (after the key itself was replaced)."""
        with self._kek_lock:
            self._kek = None
        self.cache.invalidate()

    def _cache_key(self, dialogue_id: str, version: int) -> str:
        return f"{self.settings.table}/{dialogue_id}/v{version}"

    # ---- reading ----------------------------------------------------------------------------

    def unwrap(self, dialogue_id: str, item: Mapping[str, Any]) -> DekHandle:
        """The DEK of a ``dek#v{n}`` item (unwrapped once, then cached)."""
        version = dek_version(item)

        def load() -> DekHandle:
            wrapped = WrappedDek(item["provider"]["S"], item["kek_id"]["S"], bytes(item["wrapped"]["B"]))
            context = DekContext(item["owner"]["S"], dialogue_id, version)
            return self.provider.decrypt_dek(self.kek(), wrapped, context)

        return self.cache.get(self._cache_key(dialogue_id, version), load)

    def for_item(self, dialogue_id: str, item: Mapping[str, Any], deks: Mapping[str, Any]) -> DekHandle:
        """The DEK named by an encrypted item's ``key_id``, from the DEK items seen (``deks`` by SK)."""
        key_id = item.get("key_id", {}).get("S", "")
        sk = f"{DEK_PREFIX}{key_id.rsplit('#v', 1)[-1]}"
        dek_item = deks.get(sk)
        if dek_item is None:
            raise IntegrityError([IntegrityProblem(dialogue_id, sk, "missing", "the data key item is gone")])
        return self.unwrap(dialogue_id, dek_item)

    def items(self, dialogue_id: str) -> list[dict[str, Any]]:
        client = dynamodb_client(self.settings)
        with tbl.translated(self.settings):
            answer = client.query(
                TableName=self.settings.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :d)",
                ExpressionAttributeValues={":pk": {"S": pk_for(dialogue_id)}, ":d": {"S": DEK_PREFIX}},
                ConsistentRead=True,
            )
        items: list[dict[str, Any]] = answer.get("Items", [])
        return items

    # ---- writing ----------------------------------------------------------------------------

    def _new(self, dialogue_id: str, version: int, messages: int) -> tuple[DekHandle, dict[str, Any]]:
        dek, wrapped = self.provider.generate_dek(self.kek(), DekContext(self.user, dialogue_id, version))
        item = {
            "PK": {"S": pk_for(dialogue_id)},
            "SK": {"S": f"{DEK_PREFIX}{version}"},
            "entity_type": {"S": "dek"},
            "provider": {"S": wrapped.provider},
            "kek_id": {"S": wrapped.kek_id},
            "owner": {"S": self.user},
            "wrapped": {"B": wrapped.blob},
            "created_at": {"S": utc_timestamp()},
            "encryptions": {"N": str(messages)},
        }
        return dek, item

    def writable(
        self,
        dialogue_id: str,
        messages: int,
        *,
        known_new: bool = False,
        with_first: Sequence[dict[str, Any]] = (),
    ) -> DekHandle:
        """The dialogue's current DEK with ``messages`` encryptions reserved durably.

        A new DEK version is made when there is none, or when the current one would
        pass the per-key message limit; it is written in one transaction with its
        `wrap_dek` audit event. ``known_new`` (no committed version yet) skips looking
        for existing keys: creating v1 fails cleanly if one is there after all.
        ``with_first`` (TransactWriteItems actions, with ``known_new``) go into the
        transaction that makes v1; if it fails, nothing of it was written and
        :class:`ChainConflict` is raised.
        """
        pk = pk_for(dialogue_id)
        client = dynamodb_client(self.settings)
        if messages > self.max_messages:
            raise KeyProblem(f"one write of {messages} items exceeds the per-key limit")
        version = 0 if known_new else max((dek_version(i) for i in self.items(dialogue_id)), default=0)
        for _ in range(MAX_CREATE_ATTEMPTS):
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
                                ":room": {"N": str(self.max_messages - messages)},
                            },
                            ReturnValues="ALL_NEW",
                        )
                        dek = self.unwrap(dialogue_id, answer["Attributes"])
                        dek.reserve(messages)
                        return dek
                    except botocore.exceptions.ClientError as exc:
                        if error_code(exc) != "ConditionalCheckFailedException":
                            raise
            # No DEK yet, or the current one is spent: make the next version.
            version += 1
            dek, item = self._new(dialogue_id, version, messages)
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
                    extra_actions=[create, *with_first],
                )
            except ChainConflict:
                if with_first:
                    raise
                continue  # that version exists (another writer, or an interrupted write): reserve on it
            self.cache.put(self._cache_key(dialogue_id, version), dek)
            dek.reserve(messages)
            return dek
        raise ConcurrentWrite(dialogue_id)
