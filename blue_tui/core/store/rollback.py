"""Whole-dialogue rollback: the checks that see a dialogue put back to an older version as a whole.

Per-item AAD and the manifest catch a changed, swapped, added or deleted item, but a
whole older generation (root, pages and items restored together) is internally
consistent. Three records say which generation is current, and a read checks them all:

* the audit log's marker ``subject#{id}``, written in the commit's transaction. It is a
  claim, not a fact: it must exist for a committed dialogue, and the audit event it
  names (by ``seq`` and ``hash``) must be in the chain and record the same dialogue,
  generation and manifest root;
* the root's generation, authenticated by its encrypted payload;
* this machine's high-water mark (:mod:`.highwater`), which the table cannot rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.errors import IntegrityProblem
from blue_tui.core.store import table as tbl
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.audit_records import HEAD_SK, SUBJECT_PREFIX, SubjectMarker, read_event
from blue_tui.core.store.highwater import DialogueMark
from blue_tui.core.store.reader import ROOT_SK
from blue_tui.core.store.sealing import pk_for, root_digest


@dataclass
class RootState:
    """The committed generation, the audit log's marker and the chain head, read in one request."""

    generation: int | None = None
    marker: SubjectMarker | None = None
    #: A marker item is there but unreadable.
    marker_broken: bool = False
    audit_head: tuple[int, str] | None = None
    #: The root item as read (committed or not), for writers.
    root: Mapping[str, Any] | None = field(default=None, repr=False)

    def same_claims(self, other: RootState) -> bool:
        return (self.generation, self.marker, self.marker_broken) == (
            other.generation,
            other.marker,
            other.marker_broken,
        )


def read_state(settings: Settings, audit: AuditLog, dialogue_id: str) -> RootState:
    pk = pk_for(dialogue_id)
    marker_sk = f"{SUBJECT_PREFIX}{dialogue_id}"
    got = tbl.batch_get(settings, [(pk, ROOT_SK), (audit.pk, marker_sk), (audit.pk, HEAD_SK)])
    state = RootState()
    for item in got:
        sk = item["SK"]["S"]
        if item["PK"]["S"] == pk:
            state.root = item
            state.generation = int(item["gen"]["N"]) if "gen" in item else None
        elif sk == HEAD_SK:
            state.audit_head = (int(item["seq"]["N"]), item["hash"]["S"])
        else:
            try:
                state.marker = SubjectMarker.from_item(item)
            except (KeyError, ValueError):
                state.marker_broken = True
    return state


def gone_problem(
    dialogue_id: str, state: RootState, mark: DialogueMark | None, recorded: int | None = None
) -> IntegrityProblem | None:
    """A dialogue without a committed root that the audit log or this machine knows: deleted."""
    witnesses = []
    if state.marker is not None:
        witnesses.append(f"the audit log's marker records generation {state.marker.gen} as committed")
    elif state.marker_broken:
        witnesses.append("the audit log holds a marker for it")
    if recorded is not None:
        witnesses.append(f"the audit chain recorded generation {recorded} as committed")
    if mark is not None:
        witnesses.append(f"this machine has seen generation {mark.gen}")
    if not witnesses:
        return None
    why = "; ".join(witnesses)
    return IntegrityProblem(dialogue_id, ROOT_SK, "missing", f"the dialogue's manifest is gone, but {why}")


def check_claims(
    dialogue_id: str,
    generation: int,
    root: Mapping[str, Any] | None,
    state: RootState,
    event_item: Mapping[str, Any] | None,
    mark: DialogueMark | None,
    recorded: int | None = None,
) -> list[IntegrityProblem]:
    """Findings about the dialogue's current generation as a whole (empty when it is the newest known).

    ``recorded`` is the highest generation the audit chain's events recorded, when the
    caller has read the chain (verifying everything): it catches a marker pointed back
    at the older event that committed a restored generation.
    """
    marker_sk = f"{SUBJECT_PREFIX}{dialogue_id}"
    problems: list[IntegrityProblem] = []

    def problem(sk: str, kind: str, message: str) -> None:
        if not any(p.sk == sk and p.kind == kind for p in problems):
            problems.append(IntegrityProblem(dialogue_id, sk, kind, message))

    digest = root_digest(root) if root is not None else None
    marker = state.marker
    if state.marker_broken:
        problem(marker_sk, "tampered", "the audit log's marker for this dialogue is unreadable")
    elif marker is None:
        problem(marker_sk, "missing", "the audit log's marker for this dialogue was deleted")
    else:
        recorded_root = _check_marker_event(marker, event_item, problem)
        if marker.gen > generation:
            message = (
                f"the manifest names generation {generation}, but the audit log recorded "
                f"generation {marker.gen} as committed"
            )
            problem(ROOT_SK, "rolled-back", message)
        elif marker.gen < generation:
            message = (
                f"the marker names generation {marker.gen}, older than the manifest's generation "
                f"{generation} (the marker was set back)"
            )
            problem(marker_sk, "rolled-back", message)
        elif recorded_root is not None and digest is not None and recorded_root != digest:
            message = (
                f"the manifest is not the one audit event {marker.seq} recorded for generation {generation}"
            )
            problem(ROOT_SK, "rolled-back", message)
    if recorded is not None and recorded > generation:
        message = (
            f"the manifest names generation {generation}, but the audit chain recorded "
            f"generation {recorded} as committed"
        )
        problem(ROOT_SK, "rolled-back", message)
    if mark is not None and digest is not None:
        regression = mark.regression(generation, digest)
        if regression:
            problem(ROOT_SK, "rolled-back", regression)
    problems.sort(key=lambda p: p.kind != "rolled-back")  # the gravest finding first: it heads the message
    return problems


def _check_marker_event(
    marker: SubjectMarker, item: Mapping[str, Any] | None, problem: Callable[[str, str, str], None]
) -> str | None:
    """Does the event the marker names exist and record this commit? Returns the root digest it recorded."""
    marker_sk = f"{SUBJECT_PREFIX}{marker.dialogue_id}"
    if item is None:
        problem(
            marker_sk, "missing", f"the marker names audit event {marker.seq}, which the chain does not hold"
        )
        return None
    event, kind, _ = read_event(item)
    if event is None or kind == "tampered":
        problem(
            marker_sk, "tampered", f"the marker names audit event {marker.seq}, which does not authenticate"
        )
        return None
    detail = event.detail
    if (
        event.event_hash != marker.hash
        or event.seq != marker.seq
        or event.subject != marker.dialogue_id
        or event.operation != "import"
        or event.outcome != "success"
        or detail.get("generation") != marker.gen
    ):
        problem(
            marker_sk,
            "tampered",
            f"the marker (generation {marker.gen}, event {marker.seq}) does not match the audit event it names",
        )
        return None
    recorded = detail.get("root")
    return recorded if isinstance(recorded, str) else None
