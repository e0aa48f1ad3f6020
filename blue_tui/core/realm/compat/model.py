"""The result types of the schema compatibility checker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

#: True compatible, False incompatible, None unknown (the change's message says why).
Verdict: TypeAlias = bool | None

#: ``strict`` is Confluent Schema Registry's default; ``lenient`` its LENIENT policy.
POLICIES: tuple[str, ...] = ("strict", "lenient")


@dataclass(frozen=True)
class Change:
    """One difference between two schemas, with what it means in each direction.

    ``backward``: can the new schema read every document valid under the old one?
    ``forward``: can the old schema read every document valid under the new one?
    ``counterexample``: a document that shows the break, when one was built.
    ``counterexample_for``: which direction the counterexample breaks (``backward``: valid under
    the old schema, invalid under the new; ``forward``: the other way round).
    ``warning``: compatible but worth a look (e.g. a changed ``default``); exit 2 in the CLI.
    ``disputed``: blue's verdict differs from Confluent Schema Registry's, which ``confluent``
    holds as (backward, forward): readers that apply defaults (rows 7, 12, 13 of coordination.md
    2.3), regex languages, disjoint ``oneOf`` branches, ``required`` names not declared.
    """

    rule: str
    path: str
    backward: Verdict
    forward: Verdict
    message: str
    counterexample: object | None = None
    counterexample_for: str | None = None
    #: A second counterexample when both directions have one (``counterexample`` is backward's).
    forward_counterexample: object | None = None
    has_forward_counterexample: bool = False
    warning: bool = False
    disputed: bool = False
    confluent: tuple[Verdict, Verdict] | None = None
    #: True when the change alters the set of accepted documents (drives the minor bump).
    semantic: bool = True

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "path": self.path,
            "backward": self.backward,
            "forward": self.forward,
            "message": self.message,
        }
        if self.counterexample_for is not None:
            out["counterexample"] = self.counterexample
            out["counterexample_for"] = self.counterexample_for
        if self.has_forward_counterexample:
            out["forward_counterexample"] = self.forward_counterexample
        if self.warning:
            out["warning"] = True
        if self.disputed:
            out["disputed"] = True
        if self.confluent is not None:
            out["confluent"] = {"backward": self.confluent[0], "forward": self.confluent[1]}
        return out


_WORDS = {True: "compatible", False: "incompatible", None: "unknown"}


def disputed(change: Change, confluent: tuple[Verdict, Verdict]) -> Change:
    """``change`` marked as read differently by Confluent, whose verdicts it then carries."""
    ours = (change.backward, change.forward)
    if all(mine is None or mine == theirs for mine, theirs in zip(ours, confluent, strict=True)):
        return change
    words = f"backward {_WORDS[confluent[0]]}, forward {_WORDS[confluent[1]]}"
    return replace(
        change,
        disputed=True,
        confluent=confluent,
        message=f"{change.message} (disputed: Confluent says {words})",
    )


def overall(verdicts: Iterable[Verdict]) -> Verdict:
    """False if any is False; else None if any is None; else True."""
    result: Verdict = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


@dataclass(frozen=True)
class CompatReport:
    backward: Verdict
    forward: Verdict
    changes: tuple[Change, ...] = field(default_factory=tuple)
    policy: str = "strict"

    @classmethod
    def of(cls, changes: Iterable[Change], *, policy: str = "strict") -> CompatReport:
        items = tuple(changes)
        return cls(
            backward=overall(c.backward for c in items),
            forward=overall(c.forward for c in items),
            changes=items,
            policy=policy,
        )

    @property
    def warnings(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.warning)

    def as_json(self) -> dict[str, Any]:
        return {
            "backward": self.backward,
            "forward": self.forward,
            "policy": self.policy,
            "changes": [c.as_json() for c in self.changes],
        }
