"""A contract's ``compatibility`` block applied to the schema checker (``compat``).

The checker compares two schemas and says, per change, what happens backward (the new schema
reads old documents) and forward (old schemas read new documents). This module picks the
directions and the policy from the contract, applies the version-bump rule, and turns the result
into problem records naming the contract file and each change's rule id.

:func:`judge_update` is the one place that decides whether a contract change is allowed: ``realm
admin contract --update`` refuses what it finds wrong, and ``realm check --mode contract`` reports
the same findings for a change committed by hand. Only the checker's public functions are used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm import semver
from blue_tui.core.realm.model import Compatibility, Contract
from blue_tui.core.realm.problems import Problem, ProblemSink

if TYPE_CHECKING:
    from blue_tui.core.realm.compat import Change, CompatReport
    from blue_tui.core.realm.history import VersionedSchema


def compare(old_schema: Any, new_schema: Any, compat: Compatibility) -> CompatReport:
    """Compare under the contract's policy. Unless the contract declares that its readers apply
    defaults before validating, "required, with a default" changes count as breaking (the checker
    marks them disputed; coordination.md 2.4)."""
    from blue_tui.core.realm.compat import Change, CompatReport, compare_schemas

    try:
        return compare_schemas(
            old_schema, new_schema, policy=compat.policy, readers_apply_defaults=compat.readers_apply_defaults
        )
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # A schema the checker cannot digest: say so as an unknown verdict instead of crashing the check.
        why = f"the schema checker could not compare these schemas ({type(exc).__name__}: {exc})"
        return CompatReport.of([Change("CHECKER_FAILED", "#", None, None, why)], policy=compat.policy)


@dataclass(frozen=True)
class CompatResult:
    domain: str
    contract: str
    from_version: str
    to_version: str
    policy: str
    directions: tuple[str, ...]
    backward: bool | None
    forward: bool | None
    changes: tuple[Any, ...] = ()
    bump_ok: bool = True
    required: str | None = None
    message: str = ""
    #: Where the old schema came from (a commit sha, or "working tree").
    source: str = ""
    #: Why this pair was checked: "bump" (against git), "predecessor", "transitive", "requested".
    reason: str = ""

    @property
    def ref(self) -> str:
        return f"{self.domain}/{self.contract}"

    @property
    def forward_step(self) -> bool:
        return semver.compare(self.to_version, self.from_version) > 0

    @property
    def broken(self) -> list[str]:
        return [d for d in self.directions if getattr(self, d) is False]

    @property
    def unknown(self) -> list[str]:
        return [d for d in self.directions if getattr(self, d) is None]

    @property
    def ok(self) -> bool:
        if self.forward_step:
            return self.bump_ok
        return not self.broken and not self.unknown

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "contract": self.contract,
            "from": self.from_version,
            "to": self.to_version,
            "policy": self.policy,
            "directions": list(self.directions),
            "backward": self.backward,
            "forward": self.forward,
            "ok": self.ok,
            "required_bump": self.required,
            "message": self.message,
            "reason": self.reason,
            "changes": [c.as_json() for c in self.changes],
        }


def check_pair(
    contract: Contract,
    old_version: str,
    old_schema: Any,
    new_version: str,
    new_schema: Any,
    *,
    compat: Compatibility | None = None,
    reason: str = "",
    source: str = "",
) -> CompatResult:
    from blue_tui.core.realm.compat import required_bump

    cfg = compat or contract.compatibility
    report = compare(old_schema, new_schema, cfg)
    bump_ok, required, message = True, None, ""
    if semver.compare(new_version, old_version) > 0:
        verdict = required_bump(
            report, directions=cfg.directions, old_version=old_version, new_version=new_version
        )
        bump_ok, required, message = verdict.ok, verdict.required, verdict.message
    else:
        broken = [d for d in cfg.directions if getattr(report, d) is not True]
        message = f"{'/'.join(broken)} not compatible" if broken else "compatible in the declared directions"
    return CompatResult(
        contract.domain,
        contract.name,
        old_version,
        new_version,
        cfg.policy,
        cfg.directions,
        report.backward,
        report.forward,
        tuple(report.changes),
        bump_ok,
        required,
        message,
        source,
        reason,
    )


def _change_line(c: Change) -> str:
    return f"{c.rule} at {c.path or '/'}: {c.message}"


def problems_for(result: CompatResult, *, file: str, key: str = "schema") -> list[Problem]:
    """Errors for a failed bump or a break in a declared direction; warnings for unknowns and
    changes flagged as warnings (a changed default); nothing when the pair is fine."""
    out: list[Problem] = []
    sink = ProblemSink(out, file=file, domain=result.domain, contract=result.contract)
    pair = f"{result.from_version} -> {result.to_version}"
    declared = set(result.directions)
    bad = [c for c in result.changes if any(getattr(c, d) is not True for d in declared)]
    if result.forward_step and not result.bump_ok:
        detail = "; ".join(_change_line(c) for c in bad[:5]) + (
            f" (+{len(bad) - 5} more)" if len(bad) > 5 else ""
        )
        sink.add(
            "error",
            "bump-too-small",
            f"{pair}: {result.message}" + (f" [{detail}]" if detail else ""),
            key=key,
            hint=f"bump to at least the next {result.required} version, or make the change compatible"
            if result.required
            else None,
        )
    elif not result.forward_step and result.broken:
        detail = "; ".join(_change_line(c) for c in bad[:5])
        sink.add(
            "error",
            "incompatible",
            f"{pair}: {'/'.join(result.broken)} incompatible" + (f" [{detail}]" if detail else ""),
            key=key,
        )
    if result.unknown and (not result.forward_step or result.bump_ok):
        unsure = [c for c in result.changes if any(getattr(c, d) is None for d in declared)]
        detail = "; ".join(_change_line(c) for c in unsure[:3])
        sink.add(
            "warning",
            "compat-unknown",
            f"{pair}: {'/'.join(result.unknown)} compatibility unknown" + (f" [{detail}]" if detail else ""),
            key=key,
        )
    for c in result.changes:
        if getattr(c, "warning", False):
            sink.add("warning", c.rule, f"{pair}: {c.message} (at {c.path or '/'})", key=key)
    return out


# ---- one contract change, judged once for `admin contract` and `realm check` alike -----------------------

SchemaAt = Callable[[str], "VersionedSchema | None"]


@dataclass(frozen=True)
class UpdateVerdict:
    """What a change of ``contract`` from ``old_version`` means under the contract's own rules.

    ``step`` is the direct comparison (None when the version did not go up), ``transitive`` the
    comparisons against earlier versions (when the contract is transitive), and ``problems`` every
    finding, all on the contract's file, in the order they were found.
    """

    contract: Contract
    old_version: str
    step: CompatResult | None
    transitive: tuple[CompatResult, ...]
    problems: tuple[Problem, ...]
    #: The smallest bump the schema change needs (``major``/``minor``/``patch``), None for no change.
    required: str | None

    @property
    def results(self) -> tuple[CompatResult, ...]:
        return ((self.step,) if self.step is not None else ()) + self.transitive

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def compatible(self) -> bool:
        """The direct step is compatible in every declared direction (what ``evolution`` records)."""
        step = self.step
        return step is not None and all(getattr(step, d) is True for d in step.directions)


def _next_major(version: str) -> str:
    return f"{semver.key(version)[0] + 1}.0.0"


def judge_update(
    contract: Contract, old_version: str, old_schema: Any, schema_at: SchemaAt, *, source: str = ""
) -> UpdateVerdict:
    """Judge ``old_version``/``old_schema`` -> the contract as it is now: the version moved the
    right way, the bump is big enough for the schema change in the declared directions, the
    ``evolution`` claim for the new version holds, and (when transitive) the new schema still
    reads, or is read by, every earlier version's schema that ``schema_at`` can find."""
    out: list[Problem] = []
    sink = ProblemSink(out, file=contract.file, domain=contract.domain, contract=contract.name)
    new_version = contract.version
    cfg = contract.compatibility
    moved = semver.compare(new_version, old_version)
    if moved <= 0:
        from blue_tui.core.realm.compat import required_bump

        report = compare(old_schema, contract.schema, cfg)
        need = required_bump(
            report, directions=cfg.directions, old_version=old_version, new_version=_next_major(old_version)
        ).required
        if moved < 0:
            sink.add(
                "error",
                "version-decreased",
                f"version went down: {old_version} -> {new_version}",
                key="version",
            )
        elif old_schema != contract.schema:
            sink.add(
                "error",
                "version-not-bumped",
                f"the schema changed but the version stayed {new_version} (it needs a {need or 'patch'} bump)",
                key="version",
                hint="bump the version (`blue realm check --mode compatibility` says which bump the change needs)",
            )
        return UpdateVerdict(contract, old_version, None, (), tuple(out), need)
    step = check_pair(
        contract, old_version, old_schema, new_version, contract.schema, reason="bump", source=source
    )
    for p in problems_for(step, file=contract.file):
        out.append(p.with_(key="version") if p.rule == "bump-too-small" else p)
    entry = next((e for e in contract.evolution if e.version == new_version), None)
    if (
        entry is not None
        and entry.compatible is True
        and not all(getattr(step, d) is True for d in cfg.directions)
    ):
        sink.add(
            "error",
            "evolution-claim",
            f"evolution says {new_version} is compatible, but the checker disagrees "
            f"({'/'.join(step.broken + step.unknown)})",
            key=f"evolution[{contract.evolution.index(entry)}].compatible",
        )
    transitive: list[CompatResult] = []
    for past_entry in contract.evolution if cfg.transitive else ():
        v = past_entry.version
        if v == old_version or semver.compare(v, new_version) >= 0:
            continue
        past = schema_at(v)
        if past is None:
            sink.add(
                "info",
                "schema-unavailable",
                f"no commit of the realm has {contract.ref} at {v}; cannot check {v} -> {new_version}",
                key="evolution",
                hint="versions written before the realm tracked the contract "
                "cannot be checked; drop them from evolution or accept the warning",
            )
            continue
        result = check_pair(
            contract,
            v,
            past.schema,
            new_version,
            contract.schema,
            reason="transitive",
            source=past.commit or "working tree",
        )
        transitive.append(result)
        out.extend(problems_for(result, file=contract.file))
    return UpdateVerdict(contract, old_version, step, tuple(transitive), tuple(out), step.required)
