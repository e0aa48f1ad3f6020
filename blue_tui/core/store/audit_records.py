"""The audit partition's items as stored, and checking a chain of them.

Keys: ``event#{seq:020d}`` (attribute ``event`` holds the event's JSON; ``seq``,
``timestamp`` and ``entity_type`` are cleartext copies), ``head`` (``seq``, ``hash`` and
``event_id`` of the newest event) and ``subject#{id}`` (a dialogue's newest committed
generation and the event that recorded it). :func:`verify_chain` needs nothing but the
items, so it runs without KMS.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.crypto.audit import GENESIS_HASH, Anchor, AuditEvent

HEAD_SK = "head"
EVENT_PREFIX = "event#"
SUBJECT_PREFIX = "subject#"


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
    #: The highest generation the chain's import events recorded, per dialogue (since the last reset).
    recorded: dict[str, int] = field(default_factory=dict)

    def ids(self) -> set[str]:
        return {*self.markers, *self.broken, *self.recorded}


def verify_chain(
    items: Iterable[Mapping[str, Any]], anchors: Sequence[Anchor] = (), remembered: Anchor | None = None
) -> AuditReport:
    """Check a chain's items (in SK order): every hash, link, sequence number and cleartext copy,
    that the head names the last event, and that the chain still holds each anchor and the
    event ``remembered`` (the newest this machine has seen)."""
    previous = GENESIS_HASH
    count = 0
    last: AuditEvent | None = None
    head: Mapping[str, Any] | None = None
    hashes: list[tuple[str, str]] = []  # (event id, hash) by seq
    for item in items:
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
