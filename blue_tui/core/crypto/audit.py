"""The crypto audit log: one hash-chained event per operation batch, in the dialogue table.

Layout (partition ``audit#{chain}``):

* ``event#{seq:020d}``: one event; attribute ``event`` holds its canonical JSON.
* ``head``: ``seq`` and ``hash`` of the newest event. Every append is one
  TransactWriteItems: put the event if its SK is new, move the head only if it
  still names the event we chained to. Two writers therefore cannot fork the chain;
  the loser re-reads the head and retries.
* ``subject#{id}``: the newest committed generation of a dialogue and the event that
  recorded it, so a dialogue rolled back as a whole is noticed on open.

``event_hash = SHA-256(canonical JSON of every other field)``; the first event
chains to 64 zeros. Events never hold key bytes, only key ids.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions
import uuid6

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto.envelope import canonical_json
from blue_tui.core.errors import AuditError
from blue_tui.core.store.table import query_partition, translated

GENESIS_HASH = "0" * 64
DEFAULT_CHAIN = "crypto"
HEAD_SK = "head"
EVENT_PREFIX = "event#"
SUBJECT_PREFIX = "subject#"
MAX_APPEND_ATTEMPTS = 12
OUTCOMES = ("success", "failure", "denied")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


@dataclass(frozen=True)
class TraceContext:
    """W3C trace context: one trace per command, one span per operation batch."""

    trace_id: str
    span_id: str

    @classmethod
    def new(cls, env: Mapping[str, str] | None = None) -> TraceContext:
        parent = (env or {}).get("TRACEPARENT", "").strip().lower()
        match = _TRACEPARENT.match(parent)
        if match and set(match.group(1)) != {"0"}:
            return cls(match.group(1), os.urandom(8).hex())
        return cls(os.urandom(16).hex(), os.urandom(8).hex())

    def child(self) -> TraceContext:
        return TraceContext(self.trace_id, os.urandom(8).hex())


def utc_timestamp(now: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    event_id: str
    timestamp: str
    trace_id: str
    span_id: str
    operation: str
    key_id: str
    principal: str
    outcome: str
    previous_hash: str
    subject: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    event_hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event_id": self.event_id,
            "timestamp": self.timestamp,
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "operation": self.operation,
            "key_id": self.key_id,
            "principal": self.principal,
            "outcome": self.outcome,
            "previous_hash": self.previous_hash,
            "subject": self.subject,
            "detail": dict(self.detail),
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body())).hexdigest()

    def as_json(self) -> dict[str, Any]:
        return {**self.body(), "event_hash": self.event_hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditEvent:
        return cls(
            seq=int(data["seq"]),
            event_id=str(data["event_id"]),
            timestamp=str(data["timestamp"]),
            trace_id=str(data["trace_id"]),
            span_id=str(data["span_id"]),
            operation=str(data["operation"]),
            key_id=str(data["key_id"]),
            principal=str(data["principal"]),
            outcome=str(data["outcome"]),
            previous_hash=str(data["previous_hash"]),
            subject=None if data.get("subject") is None else str(data["subject"]),
            detail=dict(data.get("detail") or {}),
            event_hash=str(data["event_hash"]),
        )


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    events: int
    first_bad: str | None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_bad": self.first_bad, "reason": self.reason}


class ChainConflict(Exception):
    """An extra action of an append's transaction failed its condition (not the head)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"transaction action {index} failed its condition")
        self.index = index


class _HeadMoved(Exception):
    """Another writer appended first; re-read the head and try again."""


class AuditLog:
    def __init__(
        self,
        settings: Settings,
        chain: str = DEFAULT_CHAIN,
        *,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid6.uuid7()),
    ) -> None:
        self.settings = settings
        self.chain = chain
        self.pk = f"audit#{chain}"
        self._clock = clock
        self._new_id = new_id
        #: The head this log last wrote or was told about: tried first, re-read when stale.
        self._known_head: tuple[int, str] | None = None

    def remember_head(self, seq: int, event_hash: str) -> None:
        """A head the caller has just read (e.g. in a batch with other items)."""
        self._known_head = (seq, event_hash)

    # ---- writing ----------------------------------------------------------------------------

    def _head(self) -> tuple[int, str]:
        client = dynamodb_client(self.settings)
        with translated(self.settings):
            got = client.get_item(
                TableName=self.settings.table,
                Key={"PK": {"S": self.pk}, "SK": {"S": HEAD_SK}},
                ConsistentRead=True,
            )
        item = got.get("Item")
        if not item:
            return -1, GENESIS_HASH
        return int(item["seq"]["N"]), item["hash"]["S"]

    def append(
        self,
        *,
        operation: str,
        key_id: str,
        principal: str,
        outcome: str = "success",
        trace: TraceContext,
        subject: str | None = None,
        detail: Mapping[str, Any] | None = None,
        record_generation: int | None = None,
        extra_actions: Sequence[dict[str, Any]] = (),
    ) -> AuditEvent:
        """Append one event, atomically with ``extra_actions`` (TransactWriteItems entries).

        ``record_generation`` also moves the subject's marker to that generation.
        Raises :class:`ChainConflict` when one of the extra actions fails its condition.
        The first attempt chains to the head this log last saw (no read); a stale head
        only costs a retry.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}")
        client = dynamodb_client(self.settings)
        table = self.settings.table
        for attempt in range(MAX_APPEND_ATTEMPTS):
            known, self._known_head = self._known_head, None
            seq, previous = known if known is not None and attempt == 0 else self._head()
            event = AuditEvent(
                seq=seq + 1,
                event_id=self._new_id(),
                timestamp=utc_timestamp(self._clock()),
                trace_id=trace.trace_id,
                span_id=trace.span_id,
                operation=operation,
                key_id=key_id,
                principal=principal,
                outcome=outcome,
                previous_hash=previous,
                subject=subject,
                detail=dict(detail or {}),
            )
            event = AuditEvent(**{**event.__dict__, "event_hash": event.computed_hash()})
            actions: list[dict[str, Any]] = [
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            "PK": {"S": self.pk},
                            "SK": {"S": f"{EVENT_PREFIX}{event.seq:020d}"},
                            "entity_type": {"S": "audit"},
                            "seq": {"N": str(event.seq)},
                            "timestamp": {"S": event.timestamp},
                            "event": {"S": json.dumps(event.as_json(), sort_keys=True, ensure_ascii=False)},
                        },
                        "ConditionExpression": "attribute_not_exists(SK)",
                    }
                },
                self._move_head(event, seq),
            ]
            if record_generation is not None and subject is not None:
                actions.append(
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {
                                "PK": {"S": self.pk},
                                "SK": {"S": f"{SUBJECT_PREFIX}{subject}"},
                                "entity_type": {"S": "audit-subject"},
                                "gen": {"N": str(record_generation)},
                                "seq": {"N": str(event.seq)},
                                "hash": {"S": event.event_hash},
                            },
                        }
                    }
                )
            fixed = len(actions)
            actions.extend(extra_actions)
            try:
                with translated(self.settings):
                    try:
                        client.transact_write_items(TransactItems=actions)
                    except botocore.exceptions.ClientError as exc:
                        if error_code(exc) != "TransactionCanceledException":
                            raise
                        reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
                        failed = [i for i, code in enumerate(reasons) if code not in ("None", "", None)]
                        extra_failed = [i - fixed for i in failed if i >= fixed]
                        if extra_failed:
                            raise ChainConflict(extra_failed[0]) from None
                        raise _HeadMoved() from None
            except _HeadMoved:
                if attempt:
                    time.sleep(min(0.5, 0.005 * (2**attempt)) * (0.5 + random.random()))  # noqa: S311
                continue
            self._known_head = (event.seq, event.event_hash)
            return event
        raise AuditError(
            f"could not append to audit chain {self.chain!r}: {MAX_APPEND_ATTEMPTS} concurrent writers won first",
            hint="run the command again",
        )

    def _move_head(self, event: AuditEvent, previous_seq: int) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.settings.table,
            "Key": {"PK": {"S": self.pk}, "SK": {"S": HEAD_SK}},
            "UpdateExpression": "SET seq = :n, #h = :h, event_id = :e, entity_type = :t",
            "ExpressionAttributeNames": {"#h": "hash"},
            "ExpressionAttributeValues": {
                ":n": {"N": str(event.seq)},
                ":h": {"S": event.event_hash},
                ":e": {"S": event.event_id},
                ":t": {"S": "audit-head"},
            },
        }
        if previous_seq < 0:
            update["ConditionExpression"] = "attribute_not_exists(seq)"
        else:
            update["ConditionExpression"] = "seq = :p"
            update["ExpressionAttributeValues"][":p"] = {"N": str(previous_seq)}
        return {"Update": update}

    # ---- reading ----------------------------------------------------------------------------

    def events(self) -> list[AuditEvent]:
        out: list[AuditEvent] = []
        for item in self._items():
            sk = item["SK"]["S"]
            if sk.startswith(EVENT_PREFIX):
                out.append(AuditEvent.from_json(json.loads(item["event"]["S"])))
        return out

    def _items(self) -> list[dict[str, Any]]:
        return [item for page in query_partition(self.settings, self.pk) for item in page]

    def verify(self) -> AuditReport:
        """Recompute every hash, check links and sequence, and that the head names the last event."""
        items = self._items()
        head = next((i for i in items if i["SK"]["S"] == HEAD_SK), None)
        event_items = [i for i in items if i["SK"]["S"].startswith(EVENT_PREFIX)]
        previous = GENESIS_HASH
        count = 0
        last: AuditEvent | None = None
        for expected_seq, item in enumerate(event_items):
            sk = item["SK"]["S"]
            try:
                event = AuditEvent.from_json(json.loads(item["event"]["S"]))
            except (KeyError, ValueError, TypeError):
                return AuditReport(False, count, sk, f"{sk} is not a readable audit event")
            if event.seq != expected_seq or sk != f"{EVENT_PREFIX}{event.seq:020d}":
                return AuditReport(
                    False, count, event.event_id, f"sequence gap: expected {expected_seq}, found {sk}"
                )
            if event.previous_hash != previous:
                return AuditReport(
                    False, count, event.event_id, f"event {event.seq} does not chain to its predecessor"
                )
            if event.computed_hash() != event.event_hash:
                return AuditReport(
                    False, count, event.event_id, f"event {event.seq} was modified (hash mismatch)"
                )
            previous = event.event_hash
            last = event
            count += 1
        if head is None:
            if count:
                return AuditReport(False, count, "head", "the chain head is missing")
            return AuditReport(True, 0, None)
        head_seq, head_hash = int(head["seq"]["N"]), head["hash"]["S"]
        if last is None or head_seq != last.seq or head_hash != last.event_hash:
            return AuditReport(
                False,
                count,
                "head",
                f"the head names event {head_seq} but the chain ends at "
                f"{'nothing' if last is None else last.seq} (events removed from the end?)",
            )
        return AuditReport(True, count, None)
