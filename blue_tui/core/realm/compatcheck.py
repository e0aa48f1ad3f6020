"""A contract's ``compatibility`` block applied to the schema checker (``compat``).

The checker compares two schemas and says, per change, what happens backward (the new schema
reads old documents) and forward (old schemas read new documents). This module picks the
directions and the policy from the contract, applies the version-bump rule, and turns the result
into problem records naming the contract file and each change's rule id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm import semver
from blue_tui.core.realm.model import Compatibility, Contract
from blue_tui.core.realm.problems import Problem

if TYPE_CHECKING:
    from blue_tui.core.realm.compat import Change, CompatReport


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
    ids: dict[str, Any] = {"domain": result.domain, "contract": result.contract, "file": file, "key": key}
    pair = f"{result.from_version} -> {result.to_version}"
    declared = set(result.directions)

    def offending() -> list[Any]:
        return [c for c in result.changes if any(getattr(c, d) is not True for d in declared)]

    if result.forward_step and not result.bump_ok:
        bad = offending()
        detail = "; ".join(_change_line(c) for c in bad[:5]) + (
            f" (+{len(bad) - 5} more)" if len(bad) > 5 else ""
        )
        hint = None
        if result.required:
            hint = f"bump to at least the next {result.required} version, or make the change compatible"
        out.append(
            Problem(
                "error",
                "bump-too-small",
                f"{pair}: {result.message}" + (f" [{detail}]" if detail else ""),
                hint=hint,
                **ids,
            )
        )
    elif not result.forward_step and result.broken:
        bad = offending()
        detail = "; ".join(_change_line(c) for c in bad[:5])
        out.append(
            Problem(
                "error",
                "incompatible",
                f"{pair}: {'/'.join(result.broken)} incompatible" + (f" [{detail}]" if detail else ""),
                **ids,
            )
        )
    if result.unknown and (not result.forward_step or result.bump_ok):
        unsure = [c for c in result.changes if any(getattr(c, d) is None for d in declared)]
        detail = "; ".join(_change_line(c) for c in unsure[:3])
        out.append(
            Problem(
                "warning",
                "compat-unknown",
                f"{pair}: {'/'.join(result.unknown)} compatibility unknown"
                + (f" [{detail}]" if detail else ""),
                **ids,
            )
        )
    for c in result.changes:
        if getattr(c, "warning", False):
            out.append(Problem("warning", c.rule, f"{pair}: {c.message} (at {c.path or '/'})", **ids))
    return out
