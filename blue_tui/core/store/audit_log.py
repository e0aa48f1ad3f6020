"""The audit log in the dialogue table: conditional appends, markers, verification.

Layout (partition ``audit#{chain}``; the event format is :mod:`blue_tui.core.crypto.audit`):

* ``event#{seq:020d}``: one event; attribute ``event`` holds its JSON, and ``seq``,
  ``timestamp`` and ``entity_type`` are cleartext copies that verification checks.
* ``head``: ``seq`` and ``hash`` of the newest event. Every append is one
  TransactWriteItems: put the event if its SK is new, move the head only if it
  still names the event we chained to. Two writers therefore cannot fork the chain;
  the loser re-reads the head and retries.
* ``subject#{id}``: the newest committed generation of a dialogue and the event that
  recorded it (``seq``, ``hash``), written in the commit's transaction: a claim that
  readers check against that event.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
import uuid6

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import GENESIS_HASH, OUTCOMES, Anchor, AuditEvent, TraceContext, utc_timestamp
from blue_tui.core.errors import AuditError
from blue_tui.core.store.highwater import HighWater
from blue_tui.core.store.table import get_item, query_partition, translated

DEFAULT_CHAIN = "crypto"
HEAD_SK = "head"
EVENT_PREFIX = "event#"
SUBJECT_PREFIX = "subject#"
MAX_APPEND_ATTEMPTS = 12


def event_sk(seq: int) -> str:
    return f"{EVENT_PREFIX}{seq:020d}"


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    events: int
    first_bad: str | None
    reason: str | None = None
    #: tampered | missing | rolled-back | cleartext-mismatch (None when ok)
    kind: str | None = None
    #: The newest event of an intact chain: what `blue audit anchor` prints.
    head: Anchor | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad": self.first_bad,
            "reason": self.reason,
            "kind": self.kind,
            "head": self.head.as_json() if self.head else None,
        }


@dataclass(frozen=True)
class SubjectMarker:
    """What ``subject#{id}`` claims: generation ``gen`` was committed by event ``seq`` (hash)."""

    dialogue_id: str
    gen: int
    seq: int
    hash: str

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SubjectMarker:
        """Raises KeyError or ValueError on a malformed marker."""
        return cls(
            item["SK"]["S"][len(SUBJECT_PREFIX) :],
            int(item["gen"]["N"]),
            int(item["seq"]["N"]),
            str(item["hash"]["S"]),
        )


def read_event(item: Mapping[str, Any]) -> tuple[AuditEvent | None, str | None, str | None]:
    """An event item -> (event, problem kind, reason). The event is None when unreadable.

    The event must recompute to its own hash, and the item's cleartext copies
    (``seq``, ``timestamp``, ``entity_type``) must equal the hashed values.
    """
    sk = item["SK"]["S"]
    try:
        event = AuditEvent.from_json(json.loads(item["event"]["S"]))
    except (KeyError, ValueError, TypeError):
        return None, "tampered", f"{sk} is not a readable audit event"
    if not event.intact:
        return event, "tampered", f"event {event.seq} was modified (hash mismatch)"
    copies = {
        "seq": ("N", str(event.seq)),
        "timestamp": ("S", event.timestamp),
        "entity_type": ("S", "audit"),
    }
    for name, (kind, value) in copies.items():
        if item.get(name, {}).get(kind) != value:
            return (
                event,
                "cleartext-mismatch",
                f"event {event.seq}: the cleartext {name!r} differs from the event",
            )
    return event, None, None


@dataclass
class Subjects:
    markers: dict[str, SubjectMarker] = field(default_factory=dict)
    #: Dialogue ids whose marker is unreadable.
    broken: list[str] = field(default_factory=list)
    #: The newest generation the chain's import events recorded, per dialogue (since the last reset).
    recorded: dict[str, int] = field(default_factory=dict)

    def ids(self) -> set[str]:
        return {*self.markers, *self.broken, *self.recorded}


class ChainConflict(Exception):
    """An extra action of an append's transaction failed its condition (not the head)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"transaction action {index} failed its condition")
        self.index = index


class _HeadMoved(Exception):
    """Another writer appended first; re-read the head and try again."""


class AuditLog:
    """One chain. Every head this log writes or reads is raised into the local high-water mark."""

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
        self.high_water = HighWater(settings, chain)
        self._clock = clock
        self._new_id = new_id
        #: The head this log last wrote or was told about: tried first, re-read when stale.
        self._known_head: tuple[int, str] | None = None

    def remember_head(self, seq: int, event_hash: str) -> None:
        """A head the caller has just read (e.g. in a batch with other items)."""
        self._known_head = (seq, event_hash)

    @property
    def known_head(self) -> Anchor | None:
        known = self._known_head
        return Anchor(*known) if known else None

    # ---- writing ----------------------------------------------------------------------------

    def _head(self) -> tuple[int, str]:
        item = get_item(self.settings, self.pk, HEAD_SK)
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
            ).sealed()
            actions = [self._put_event(event), self._move_head(event, seq)]
            if record_generation is not None and subject is not None:
                actions.append(self._put_marker(subject, record_generation, event))
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

    def _put_event(self, event: AuditEvent) -> dict[str, Any]:
        item = {
            "PK": {"S": self.pk},
            "SK": {"S": event_sk(event.seq)},
            "entity_type": {"S": "audit"},
            "seq": {"N": str(event.seq)},
            "timestamp": {"S": event.timestamp},
            "event": {"S": json.dumps(event.as_json(), sort_keys=True, ensure_ascii=False)},
        }
        return {
            "Put": {
                "TableName": self.settings.table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(SK)",
            }
        }

    def _put_marker(self, subject: str, generation: int, event: AuditEvent) -> dict[str, Any]:
        item = {
            "PK": {"S": self.pk},
            "SK": {"S": f"{SUBJECT_PREFIX}{subject}"},
            "entity_type": {"S": "audit-subject"},
            "gen": {"N": str(generation)},
            "seq": {"N": str(event.seq)},
            "hash": {"S": event.event_hash},
        }
        return {"Put": {"TableName": self.settings.table, "Item": item}}

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

    def _items(self) -> Iterator[dict[str, Any]]:
        for page in query_partition(self.settings, self.pk):
            yield from page

    def events(self) -> list[AuditEvent]:
        """Every event, oldest first. Raises AuditError naming an unreadable event item."""
        out: list[AuditEvent] = []
        for item in self._items():
            if item["SK"]["S"].startswith(EVENT_PREFIX):
                event, _, reason = read_event(item)
                if event is None:
                    raise AuditError(reason or "unreadable audit event", hint="run `blue audit verify`")
                out.append(event)
        return out

    def event(self, seq: int) -> dict[str, Any] | None:
        """The item of event ``seq``, if the chain holds it."""
        return get_item(self.settings, self.pk, event_sk(seq))

    def subjects(self) -> Subjects:
        """The dialogues the log knows of: its markers, and what its events recorded.

        One read of the partition. Unreadable events are skipped here (`blue audit
        verify` reports them); a `reset` forgets the generations recorded before it.
        """
        found = Subjects()
        for item in self._items():
            sk = item["SK"]["S"]
            if sk.startswith(SUBJECT_PREFIX):
                try:
                    marker = SubjectMarker.from_item(item)
                except (KeyError, ValueError):
                    found.broken.append(sk[len(SUBJECT_PREFIX) :])
                    continue
                found.markers[marker.dialogue_id] = marker
            elif sk.startswith(EVENT_PREFIX):
                event, kind, _ = read_event(item)
                if event is None or kind == "tampered" or event.outcome != "success":
                    continue
                if event.operation == "reset":
                    found.recorded.clear()
                generation = event.detail.get("generation")
                if event.operation == "import" and event.subject and isinstance(generation, int):
                    found.recorded[event.subject] = generation
        return found

    def verify(self, anchors: Sequence[Anchor] = ()) -> AuditReport:
        """Recompute every hash and check links, sequence, cleartext copies and the head; then
        that the chain still holds each anchor and the newest event this machine has seen.

        An intact chain raises the local high-water mark to its head.
        """
        report = self._verify(anchors, self.high_water.audit_head())
        if report.ok and report.head is not None:
            self.high_water.record(audit=report.head)
        return report

    def anchor(self) -> Anchor:
        """The head of the verified chain, for the user to keep outside the table.

        Raises AuditError when the chain is broken (an anchor of a broken chain proves
        nothing) or empty.
        """
        report = self.verify()
        if not report.ok:
            raise AuditError(
                f"audit chain {self.chain!r} is broken at {report.first_bad} ({report.kind}): {report.reason}",
                hint="see `blue audit verify`; an anchor of a broken chain proves nothing",
            )
        if report.head is None:
            raise AuditError(
                f"audit chain {self.chain!r} is empty: nothing to anchor",
                hint="any `blue dialogue` command writes the first event",
            )
        return report.head

    def _verify(self, anchors: Sequence[Anchor], remembered: Anchor | None) -> AuditReport:
        previous = GENESIS_HASH
        count = 0
        last: AuditEvent | None = None
        head: dict[str, Any] | None = None
        hashes: list[tuple[str, str]] = []  # (event id, hash) by seq
        for item in self._items():
            sk = item["SK"]["S"]
            if sk == HEAD_SK:
                head = item
            if not sk.startswith(EVENT_PREFIX):
                continue
            event, kind, reason = read_event(item)
            first_bad = sk if event is None else event.event_id
            if event is not None and (event.seq != count or sk != event_sk(event.seq)):
                kind, reason = "missing", f"sequence gap: expected {count}, found {sk}"
            elif event is not None and event.previous_hash != previous:
                kind, reason = "tampered", f"event {event.seq} does not chain to its predecessor"
            if kind is not None or event is None:
                return AuditReport(False, count, first_bad, reason, kind or "tampered")
            previous = event.event_hash
            last = event
            hashes.append((event.event_id, event.event_hash))
            count += 1
        if head is None:
            if count:
                return AuditReport(False, count, "head", "the chain head is missing", "missing")
        else:
            head_seq, head_hash = int(head["seq"]["N"]), head["hash"]["S"]
            if last is None or head_seq != last.seq or head_hash != last.event_hash:
                return AuditReport(
                    False,
                    count,
                    "head",
                    f"the head names event {head_seq} but the chain ends at "
                    f"{'nothing' if last is None else last.seq} (events removed from the end?)",
                    "missing",
                )
            if head.get("event_id", {}).get("S") != last.event_id:
                reason = "the head's cleartext 'event_id' differs from the last event"
                return AuditReport(False, count, "head", reason, "cleartext-mismatch")
        checks = [(anchor, f"the anchor {anchor.seq}:{anchor.hash[:12]}…") for anchor in anchors]
        if remembered is not None:
            checks.append((remembered, f"event {remembered.seq} as this machine has seen it"))
        ends = f"the chain ends at event {count - 1}" if count else "the chain is empty"
        for anchor, what in checks:
            if anchor.seq >= count:
                reason = f"{ends}, but it held {what}: events were removed from the end"
                return AuditReport(False, count, "head", reason, "rolled-back")
            event_id, event_hash = hashes[anchor.seq]
            if event_hash != anchor.hash:
                reason = f"event {anchor.seq} differs from {what}: the chain was rewritten"
                return AuditReport(False, count, event_id, reason, "tampered")
        return AuditReport(True, count, None, head=Anchor(last.seq, last.event_hash) if last else None)
