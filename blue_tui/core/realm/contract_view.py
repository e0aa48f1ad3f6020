"""The dashboard's contracts pane as values: contracts by domain, a side-by-side diff of any two
versions from history, the checker's verdict per direction and the can-i-merge matrix.

Schemas are shown as sorted, indented JSON (the form the checker's paths point into), and diffed
line by line with :mod:`difflib`. Verdicts come from the same call ``blue realm check`` makes
(:func:`compatcheck.check_pair`, under the contract's policy); the matrix is
:func:`status.can_i_merge`, exactly what ``blue realm status --matrix`` prints. Changes are read
through their documented JSON form (docs/CONTRACTS.md), so this module does not depend on the
checker's internals.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.realm import semver
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.compatcheck import check_pair
from blue_tui.core.realm.errors import ItemNotFound
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.model import Contract, Realm
from blue_tui.core.realm.status import can_i_merge


@dataclass(frozen=True)
class ContractRow:
    domain: str
    name: str
    version: str
    owner: str
    compatibility: str
    policy: str
    importers: int

    @property
    def ref(self) -> str:
        return f"{self.domain}/{self.name}"


@dataclass(frozen=True)
class DiffRow:
    """One line of the side-by-side diff. ``tag``: equal | replace | delete | insert."""

    tag: str
    left_no: int | None
    left: str
    right_no: int | None
    right: str


@dataclass(frozen=True)
class DirectionVerdict:
    direction: str
    verdict: bool | None
    declared: bool

    @property
    def word(self) -> str:
        return {True: "compatible", False: "BREAKS", None: "unknown"}[self.verdict]


@dataclass
class ContractDiff:
    domain: str
    contract: str
    old: str
    new: str
    rows: list[DiffRow]
    directions: list[DirectionVerdict]
    #: Each change as docs/CONTRACTS.md documents it (rule, path, backward, forward, message,
    #: counterexample, counterexample_for, forward_counterexample, warning, disputed).
    changes: list[dict[str, Any]]
    policy: str
    required_bump: str | None
    message: str
    #: Where each side came from: a commit (short) or "working tree".
    sources: tuple[str, str] = ("", "")
    missing: list[str] = field(default_factory=list)


def contract_rows(realm: Realm) -> list[ContractRow]:
    rows = []
    for domain, name in sorted(realm.contracts):
        con = realm.contracts[(domain, name)]
        rows.append(
            ContractRow(
                domain,
                name,
                con.version,
                con.owner,
                con.compatibility.mode,
                con.compatibility.policy,
                sum(1 for _ in realm.imports_of(domain, name)),
            )
        )
    return rows


def find(realm: Realm, domain: str, name: str) -> Contract:
    con = realm.contract(domain, name)
    if con is None:
        raise ItemNotFound(
            f"no contract {domain}/{name} in realm {realm.name!r}", hint="press r to reload the realm"
        )
    return con


def versions(realm: Realm, history: ContractHistory, domain: str, name: str) -> list[str]:
    """Every version seen (evolution, git history, working tree), oldest first."""
    con = find(realm, domain, name)
    return semver.sort_versions(set(con.versions) | set(history.versions(domain, name)))


def default_pair(known: list[str]) -> tuple[str, str]:
    """Latest vs previous (the only version against itself when there is one)."""
    if not known:
        raise ItemNotFound("the contract has no versions", hint="press r to reload the realm")
    return (known[-2] if len(known) > 1 else known[-1]), known[-1]


def schema_text(schema: Any) -> list[str]:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def side_by_side(left: list[str], right: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                DiffRow("equal", i + 1, left[i], j + 1, right[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        span = max(i2 - i1, j2 - j1)
        for k in range(span):
            i, j = i1 + k, j1 + k
            has_left, has_right = i < i2, j < j2
            row_tag = "replace" if has_left and has_right else "delete" if has_left else "insert"
            rows.append(
                DiffRow(
                    row_tag,
                    i + 1 if has_left else None,
                    left[i] if has_left else "",
                    j + 1 if has_right else None,
                    right[j] if has_right else "",
                )
            )
    return rows


def diff(realm: Realm, history: ContractHistory, domain: str, name: str, old: str, new: str) -> ContractDiff:
    """The two versions side by side, with the verdict of going from ``old`` to ``new``."""
    con = find(realm, domain, name)
    got = {v: history.schema(domain, name, v) for v in (old, new)}
    missing = [v for v, s in got.items() if s is None]
    old_got, new_got = got[old], got[new]
    left = schema_text(old_got.schema) if old_got else []
    right = schema_text(new_got.schema) if new_got else []
    sources = tuple(
        (s.commit or "working tree")[:12] if s else "not in history" for s in (got[old], got[new])
    )
    if missing:
        return ContractDiff(
            domain,
            name,
            old,
            new,
            side_by_side(left, right),
            [],
            [],
            con.compatibility.policy,
            None,
            f"no schema for {', '.join(missing)} in the realm's git history",
            (sources[0], sources[1]),
            missing,
        )
    old_s, new_s = got[old], got[new]
    assert old_s is not None and new_s is not None
    result = check_pair(con, old, old_s.schema, new, new_s.schema, reason="requested")
    declared = set(con.compatibility.directions)
    directions = [DirectionVerdict(d, getattr(result, d), d in declared) for d in ("backward", "forward")]
    return ContractDiff(
        domain,
        name,
        old,
        new,
        side_by_side(left, right),
        directions,
        [c.as_json() for c in result.changes],
        result.policy,
        result.required,
        result.message,
        (sources[0], sources[1]),
    )


def matrix(realm: Realm, domain: str, name: str, *, cache: Cache | None = None) -> dict[str, Any] | None:
    """This contract's part of ``blue realm status --matrix DOMAIN``."""
    data = can_i_merge(realm, domain, cache=cache)
    return next((c for c in data["contracts"] if c["contract"] == name), None)
