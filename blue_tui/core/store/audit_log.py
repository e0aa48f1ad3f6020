"""The audit log in the dialogue table (partition ``audit#{chain}``): appends and reads.

Every append is one TransactWriteItems: put ``event#{seq}`` if its SK is new, and move
``head`` only if it still names the event we chained to. Two writers therefore cannot
fork the chain; the loser re-reads the head and retries. A commit adds its root update
and the dialogue's ``subject#{id}`` marker to the same transaction, so the marker names
the event that recorded the commit: a claim that readers check against that event.
The items' shapes and chain verification are in :mod:`.audit_records`; the event
format in :mod:`blue_tui.core.crypto.audit`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import botocore.exceptions
import uuid6

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import GENESIS_HASH, OUTCOMES, Anchor, AuditEvent, TraceContext, utc_timestamp
from blue_tui.core.errors import AuditError
from blue_tui.core.store.audit_records import (
    EVENT_PREFIX,
    HEAD_SK,
    SUBJECT_PREFIX,
    AuditReport,
    SubjectMarker,
    Subjects,
    event_sk,
    read_event,
    verify_chain,
)
from blue_tui.core.store.highwater import HighWater
from blue_tui.core.store.table import get_item, query_partition, translated

DEFAULT_CHAIN = "crypto"
MAX_APPEND_ATTEMPTS = 12


class ChainConflict(Exception):
    """An extra action of an append's transaction failed its condition (not the head)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"transaction action {index} failed its condition")
        self.index = index


class _HeadMoved(Exception):
    """Another writer appended first; re-read the head and try again."""


__all__ = ["AuditLog", "AuditReport", "ChainConflict", "SubjectMarker", "Subjects"]


class AuditLog:
    """One chain, and this machine's high-water mark of it (``high_water``)."""

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
                    # The highest, not the latest: generations only rise, and an event appended
                    # to record an older one (the chain is not keyed) must not lower the bar.
                    found.recorded[event.subject] = max(generation, found.recorded.get(event.subject, 0))
        return found

    def verify(self, anchors: Sequence[Anchor] = ()) -> AuditReport:
        """Recompute every hash and check links, sequence, cleartext copies and the head; then
        that the chain still holds each anchor and the newest event this machine has seen.

        An intact chain raises the local high-water mark to its head.
        """
        report = verify_chain(self._items(), anchors, self.high_water.audit_head())
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
