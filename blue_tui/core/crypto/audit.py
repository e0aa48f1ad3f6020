"""The crypto audit event: what one operation batch records, and how events chain by hash.

``event_hash = SHA-256(canonical JSON of every other field)``; each event names the
hash of the one before it (the first names 64 zeros), so an edit, a deletion or a
reordering anywhere breaks a link. Events never hold key bytes, only key ids. Where
the chain is stored and how appends stay linear is the store's business
(:mod:`blue_tui.core.store.audit_log`); this module does no I/O.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from blue_tui.core.crypto.envelope import canonical_json

GENESIS_HASH = "0" * 64
OUTCOMES = ("success", "failure", "denied")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


@dataclass(frozen=True)
class TraceContext:
    """W3C trace context: one trace per command, one span per operation batch."""

    trace_id: str
    span_id: str

    @classmethod
    def new(cls, env: Mapping[str, str] | None = None) -> TraceContext:
        parent = (env or {}).get("TRACEPARENT", "").strip().lower()
        match = _TRACEPARENT.fullmatch(parent)
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

    def sealed(self) -> AuditEvent:
        """This event with its ``event_hash`` filled in."""
        return AuditEvent(**{**self.__dict__, "event_hash": self.computed_hash()})

    @property
    def intact(self) -> bool:
        return self.computed_hash() == self.event_hash

    def as_json(self) -> dict[str, Any]:
        return {**self.body(), "event_hash": self.event_hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditEvent:
        """Raises KeyError, ValueError or TypeError on a malformed record."""
        if not isinstance(data, Mapping):
            raise TypeError("an audit event is a JSON object")
        detail = data.get("detail") or {}
        if not isinstance(detail, Mapping):
            raise TypeError("an audit event's detail is a JSON object")
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
            detail=dict(detail),
            event_hash=str(data["event_hash"]),
        )


@dataclass(frozen=True)
class Anchor:
    """One event of a chain named by its sequence number and hash: ``SEQ:HASH``.

    A user keeps an anchor somewhere the table's writers cannot reach; a chain that no
    longer holds that event at that number was cut back or rewritten.
    """

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``"41:<64 hex>"`` -> Anchor; raises ValueError for anything else."""
        match = _ANCHOR.fullmatch(text.strip().lower())
        if match is None:
            raise ValueError(f"{text!r} is not SEQ:HASH (a number, a colon and 64 hex digits)")
        return cls(int(match.group(1)), match.group(2))

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


_ANCHOR = re.compile(r"(0|[1-9][0-9]{0,18}):([0-9a-f]{64})")
