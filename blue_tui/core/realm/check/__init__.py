"""``blue realm check``: the realm's CI gate, as a function that returns a report.

Modes (coordination.md 1, seed 004 round 8):

- ``exporter``: this repo's exports name contracts it owns, their source files exist, the
  contracts' exporter hooks pass; importers whose ranges the current version does not satisfy are
  warnings (Pact's *pending*: they do not break the exporter's build).
- ``importer``: this repo's import ranges are satisfied by the contracts (error), bindings are not
  stale (warning), the schema the binding was resolved against can read the current version's
  documents, binding files exist, importer hooks pass.
- ``contract``: every file valid, evolution consistent, one owner and one exporter, the graph
  acyclic, and every contract changed since the base ref (``--against``, default the previous
  commit, or HEAD when the realm has uncommitted changes) bumped correctly for its schema change.
- ``compatibility``: ``--contract NAME --from V1 --to V2``, or every contract against its
  predecessors (all of ``evolution`` when transitive), old schemas taken from git history.

Default: ``exporter`` + ``importer`` inside a member repo, ``contract`` elsewhere.
Exit codes: 0 clean, 1 errors (or warnings with ``strict``), 2 warnings only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.errors import EXIT_FAILURE, EXIT_OK, EXIT_WARNINGS
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.check.context import MODES, CheckContext, CheckOptions, HookRun
from blue_tui.core.realm.check.contracts import contract_mode
from blue_tui.core.realm.check.hookrun import HookRunner
from blue_tui.core.realm.check.sides import exporter, importer
from blue_tui.core.realm.check.versions import compatibility
from blue_tui.core.realm.compatcheck import CompatResult
from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.loader import Progress, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import REALM_FILE
from blue_tui.core.realm.problems import Problem, counts, sort_key

__all__ = ["MODES", "CheckOptions", "CheckReport", "HookRun", "choose_modes", "run_check"]


@dataclass
class CheckReport:
    realm: str
    root: str
    commit: str | None
    dirty: bool
    modes: tuple[str, ...]
    repo: str | None
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    hooks: list[HookRun] = field(default_factory=list)
    compatibility: list[CompatResult] = field(default_factory=list)
    merge_order: list[list[str]] | None = None
    base: str | None = None
    source: str = "files"
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return counts(self.problems)

    @property
    def exit_code(self) -> int:
        c = self.summary
        if c["errors"] or (self.strict and c["warnings"]):
            return EXIT_FAILURE
        return EXIT_WARNINGS if c["warnings"] else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "path": self.root,
            "commit": self.commit,
            "dirty": self.dirty,
            "repo": self.repo,
            "modes": list(self.modes),
            "strict": self.strict,
            "base": self.base,
            "ok": self.exit_code == EXIT_OK,
            "exit_code": self.exit_code,
            "summary": self.summary,
            "problems": [p.as_json() for p in self.problems],
            "hooks": [h.as_json() for h in self.hooks],
            "compatibility": [r.as_json() for r in self.compatibility],
            "merge_order": self.merge_order,
            "source": self.source,
            "cache": self.cache,
        }


def choose_modes(options: CheckOptions, member: str | None) -> tuple[str, ...]:
    if options.modes:
        bad = [m for m in options.modes if m not in MODES]
        if bad:
            raise InvalidInput(f"unknown mode {bad[0]!r}", hint=f"modes: {', '.join(MODES)}")
        return tuple(dict.fromkeys(options.modes))
    if options.contract or options.from_version or options.to_version:
        return ("compatibility",)
    return ("exporter", "importer") if member else ("contract",)


def run_check(
    located: Located,
    options: CheckOptions,
    *,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Load the realm (through the cache when given) and run the chosen modes. Never prints."""
    realm = load_realm(located.root, cache=cache, progress=progress)
    member = located.member(realm.name)
    modes = choose_modes(options, member)
    ctx = CheckContext(realm, located, options, cache, progress)
    hooks = HookRunner(ctx)
    try:
        if "contract" not in modes:
            relevant: set[str] = set()
            if member is not None and ({"exporter", "importer"} & set(modes)):
                relevant |= ctx.relevant_files(member)
            if "compatibility" in modes and options.contract:
                relevant |= {REALM_FILE, ctx.find_contract(options.contract, options.domain).file}
            ctx.problems.extend(p for p in realm.problems if p.file is None or p.file in relevant)
        for mode in modes:
            if progress is not None:
                progress(mode, 0, 1)
            if mode == "exporter":
                exporter(ctx, hooks)
            elif mode == "importer":
                importer(ctx, hooks)
            elif mode == "contract":
                contract_mode(ctx)
            else:
                compatibility(ctx)
    finally:
        hooks.close()
    unique = list(dict.fromkeys(ctx.problems))
    unique.sort(key=sort_key)
    report = CheckReport(
        realm.name,
        str(realm.root),
        realm.commit,
        realm.dirty,
        modes,
        member,
        options.strict,
        unique,
        ctx.hooks,
        ctx.compat,
        ctx.merge_order,
        ctx.base,
        realm.source,
    )
    if cache is not None:
        report.cache = {
            "enabled": cache.enabled,
            "path": str(cache.path),
            "realm": realm.source,
            **({"error": cache.error} if cache.error else {}),
        }
    return report
