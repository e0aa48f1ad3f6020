"""``--mode contract``: the realm's own CI. Every load problem, each contract's ``evolution``, the
import states across the realm, the provider -> consumer graph, and every contract changed since
the base ref judged by :func:`~blue_tui.core.realm.compatcheck.judge_update` (the function
``realm admin contract`` asks too)."""

from __future__ import annotations

import functools
import itertools

from blue_tui.core.realm import git, semver
from blue_tui.core.realm.check.context import CheckContext
from blue_tui.core.realm.check.sides import import_state
from blue_tui.core.realm.compatcheck import judge_update
from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.graph import DependencyGraph
from blue_tui.core.realm.history import at_ref, read_contract_blob, split_contract_path
from blue_tui.core.realm.model import DOMAINS_DIR, Contract


def contract_mode(ctx: CheckContext) -> None:
    realm = ctx.realm
    ctx.problems.extend(realm.problems)
    total = len(realm.contracts)
    for n, con in enumerate(sorted(realm.contracts.values(), key=lambda c: c.ref), 1):
        if ctx.progress is not None and n % 500 == 0:
            ctx.progress("contracts", n, total)
        evolution(ctx, con)
        if con.owner not in realm.exporters_of(con.domain, con.name):
            ctx.sink.add(
                "info",
                "no-exporter",
                f"no binding exports {con.ref} yet (owner {con.owner})",
                file=con.file,
                key="owner",
                domain=con.domain,
                contract=con.name,
            )
    for b in realm.bindings.values():
        for imp in b.imports:
            imported = realm.contract(b.domain, imp.contract)
            if imported is not None:
                import_state(ctx, b, imp, imported, strict_errors=False)
    graph(ctx)
    bumps(ctx)


def evolution(ctx: CheckContext, con: Contract) -> None:
    at = ctx.sink.at(file=con.file, domain=con.domain, contract=con.name)
    if not con.evolution:
        at.add(
            "warning",
            "evolution-missing",
            "evolution is empty; list each version with its changes",
            key="evolution",
        )
        return
    versions = [e.version for e in con.evolution]
    for i, (a, b) in enumerate(itertools.pairwise(versions), 1):
        if semver.compare(a, b) >= 0:
            rule = "evolution-duplicate" if a == b else "evolution-order"
            at.add(
                "error",
                rule,
                f"evolution lists {b} after {a}; versions must increase",
                key=f"evolution[{i}].version",
            )
    if con.version not in versions:
        at.add(
            "error",
            "evolution-missing-current",
            f"evolution does not list the current version {con.version}",
            key="evolution",
            hint=f"add `- version: {con.version}` with its changes",
        )
    for i, v in enumerate(versions):
        if semver.compare(v, con.version) > 0:
            at.add(
                "error",
                "evolution-ahead",
                f"evolution lists {v}, newer than the current version {con.version}",
                key=f"evolution[{i}].version",
            )
    for i, entry in enumerate(con.evolution):
        if i == 0 or entry.compatible is not False:
            continue
        prev = con.evolution[i - 1].version
        if semver.compare(entry.version, prev) > 0 and not semver.is_breaking_bump(prev, entry.version):
            at.add(
                "error",
                "evolution-break-without-major",
                f"evolution marks {entry.version} incompatible, but {prev} -> {entry.version} is not a "
                f"{semver.breaking_level(prev)} bump",
                key=f"evolution[{i}].compatible",
            )


def graph(ctx: CheckContext) -> None:
    dependency = DependencyGraph.from_realm(ctx.realm)
    found = dependency.find_cycle()
    if found is not None:
        cycle, notes = found
        ctx.sink.add("error", "cycle", "cycle: " + " -> ".join(cycle), hint="; ".join(notes))
        return
    ctx.merge_order = dependency.merge_order()


def _base_ref(ctx: CheckContext) -> str | None:
    root = ctx.realm.root
    if ctx.options.against:
        resolved = git.resolve(root, ctx.options.against)
        if resolved is None:
            raise InvalidInput(f"--against {ctx.options.against}: no such commit in {root}")
        ctx.base = ctx.options.against
        return resolved
    if ctx.realm.commit is None:
        return None
    if ctx.realm.dirty:
        ctx.base = "HEAD"
        return ctx.realm.commit
    parent = git.resolve(root, "HEAD~1")
    ctx.base = "HEAD~1" if parent else None
    return parent


def bumps(ctx: CheckContext) -> None:
    """Each contract changed since the base ref: version moved the right way, bump big enough."""
    base = _base_ref(ctx)
    if base is None:
        ctx.sink.add("info", "no-base", "no previous realm commit to compare contract versions against")
        return
    root = ctx.realm.root
    changed = [
        (s, p)
        for s, p in git.diff_names(root, base, [DOMAINS_DIR], untracked=ctx.realm.dirty)
        if split_contract_path(p)
    ]
    old_files = at_ref(root, base, [p for s, p in changed if s != "A"])
    ctx.history.prefetch([w for _, p in changed if (w := split_contract_path(p)) is not None])
    for status, path in changed:
        where = split_contract_path(path)
        assert where is not None
        domain, name = where
        con = ctx.realm.contract(domain, name)
        if status == "D":
            ctx.sink.add(
                "info",
                "contract-removed",
                f"{domain}/{name} was removed since {ctx.base}",
                file=path,
                domain=domain,
                contract=name,
            )
            continue
        old = read_contract_blob(old_files.get(path)) if status != "A" else None
        if con is None or old is None:
            continue
        schema_at = functools.partial(ctx.history.schema, domain, name)
        verdict = judge_update(con, old[0], old[1], schema_at, source=ctx.base or "")
        ctx.compat.extend(verdict.results)
        ctx.sink.extend(verdict.problems)
