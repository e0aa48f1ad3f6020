"""One repo's side of the realm: ``--mode exporter`` and ``--mode importer``, and the import
states that ``--mode contract`` reports (as warnings) across the realm.

An importer whose range the exporter's current version does not satisfy is a warning for the
exporter (Pact's *pending*: it does not fail the exporter's build) and an error for the importer.
"""

from __future__ import annotations

from blue_tui.core.realm import semver
from blue_tui.core.realm.check.context import CheckContext
from blue_tui.core.realm.check.hookrun import HookRunner
from blue_tui.core.realm.compatcheck import check_pair
from blue_tui.core.realm.model import Binding, Compatibility, Contract, Import
from blue_tui.core.realm.names import resolve_inside


def exporter(ctx: CheckContext, hooks: HookRunner) -> None:
    repo = ctx.need_member("exporter")
    bindings = [b for b in ctx.realm.bindings_of(repo) if b.exports]
    if not bindings:
        ctx.sink.add(
            "info", "no-exports", f"{repo} exports no contracts in realm {ctx.realm.name}", repo=repo
        )
    for b in bindings:
        for e in b.exports:
            con = ctx.realm.contract(b.domain, e.contract)
            if con is None or con.owner != repo:
                continue  # reported by the loader (unknown-contract / not-owner)
            at = ctx.sink.at(file=b.file, domain=b.domain, contract=e.contract, repo=repo)
            if not e.source_files:
                at.add(
                    "warning",
                    "no-source-files",
                    f"export of {e.contract} lists no source_files",
                    key=e.key,
                    hint="list the files that produce the documents",
                )
            for j, rel in enumerate(e.source_files):
                target = resolve_inside(ctx.repo_root, rel)
                if target is None or not target.exists():
                    at.add(
                        "error",
                        "source-missing",
                        f"source file {rel} does not exist in {ctx.repo_root}",
                        key=f"{e.key}.source_files[{j}]",
                    )
            hooks.run(con, b, "exporter", e, hooks.file_inputs(list(e.source_files)))
            _pending_importers(ctx, b, con)


def _pending_importers(ctx: CheckContext, b: Binding, con: Contract) -> None:
    for ib, imp in ctx.realm.imports_of(b.domain, con.name):
        if semver.range_problem(imp.range, allow_prerelease=con.prereleases) is None and not semver.satisfies(
            con.version, imp.range
        ):
            ctx.sink.add(
                "warning",
                "importer-pending",
                f"{ib.repo} imports {con.name} {imp.range!r}, which {con.version} does not satisfy",
                file=ib.file,
                key=f"{imp.key}.version",
                domain=b.domain,
                contract=con.name,
                repo=ib.repo,
                hint=f"{ib.repo} waits for a matching version (pending, not a failure of the exporter)",
            )


def importer(ctx: CheckContext, hooks: HookRunner) -> None:
    repo = ctx.need_member("importer")
    bindings = [b for b in ctx.realm.bindings_of(repo) if b.imports]
    if not bindings:
        ctx.sink.add(
            "info", "no-imports", f"{repo} imports no contracts in realm {ctx.realm.name}", repo=repo
        )
    for b in bindings:
        for imp in b.imports:
            con = ctx.realm.contract(b.domain, imp.contract)
            if con is None:
                continue
            import_state(ctx, b, imp, con, strict_errors=True)
            if imp.binding:
                target = resolve_inside(ctx.repo_root, imp.binding)
                if target is None or not target.exists():
                    ctx.sink.add(
                        "error",
                        "binding-file-missing",
                        f"binding file {imp.binding} does not exist in {ctx.repo_root}",
                        file=b.file,
                        key=f"{imp.key}.binding",
                        domain=b.domain,
                        contract=imp.contract,
                        repo=repo,
                    )
            hooks.run(con, b, "importer", imp, hooks.file_inputs([imp.binding] if imp.binding else []))


def import_state(ctx: CheckContext, b: Binding, imp: Import, con: Contract, *, strict_errors: bool) -> None:
    """Satisfied, stale, broken: for importer mode (errors) and contract mode (warnings)."""
    at = ctx.sink.at(file=b.file, domain=b.domain, contract=imp.contract, repo=b.repo)
    if semver.range_problem(imp.range, allow_prerelease=con.prereleases) is not None:
        return  # bad-range, reported by the loader
    refresh = f"`blue realm admin binding {b.domain} --repo {b.repo} --update --refresh`"
    if not semver.satisfies(con.version, imp.range):
        at.add(
            "error" if strict_errors else "warning",
            "import-unsatisfied",
            f"range {imp.range!r} is not satisfied by {con.ref} {con.version}",
            key=f"{imp.key}.version",
            hint="widen the range once your code handles the new version"
            if strict_errors
            else f"{b.repo} must move to the new version (its importer check fails until then)",
        )
        return
    if imp.status == "broken":
        at.add(
            "error" if strict_errors else "warning",
            "import-broken",
            f"import of {imp.contract} is marked broken",
            key=f"{imp.key}.status",
            hint=refresh,
        )
    elif imp.resolved_version is None or imp.status == "pending":
        at.add(
            "warning",
            "import-pending",
            f"import of {imp.contract} was never resolved (status {imp.status})",
            key=imp.key,
            hint=refresh,
        )
    elif imp.resolved_version != con.version:
        at.add(
            "warning",
            "import-stale",
            f"resolved {imp.resolved_version}, but {con.ref} is at {con.version}",
            key=f"{imp.key}.resolved_version",
            hint=refresh,
        )
        if strict_errors:
            _resolved_can_read(ctx, b, imp, con)
    elif imp.status == "outdated":
        at.add(
            "warning",
            "import-stale",
            f"import of {imp.contract} is marked outdated",
            key=f"{imp.key}.status",
            hint=refresh,
        )


def _resolved_can_read(ctx: CheckContext, b: Binding, imp: Import, con: Contract) -> None:
    """Can code built against the resolved version's schema read the current version's documents?"""
    assert imp.resolved_version is not None
    past = ctx.history.schema(con.domain, con.name, imp.resolved_version)
    if past is None:
        return
    cfg = con.compatibility
    forward_only = Compatibility(False, True, False, cfg.policy, cfg.readers_apply_defaults)
    result = check_pair(
        con,
        imp.resolved_version,
        past.schema,
        con.version,
        con.schema,
        compat=forward_only,
        reason="resolved",
    )
    if result.forward is False:
        bad = [f"{c.rule} at {c.path or '/'}" for c in result.changes if c.forward is False][:3]
        ctx.sink.add(
            "error",
            "import-breaks",
            f"documents of {con.ref} {con.version} cannot be read with the {imp.resolved_version} schema "
            f"this binding was resolved against [{'; '.join(bad)}]",
            file=b.file,
            key=f"{imp.key}.resolved_version",
            domain=b.domain,
            contract=imp.contract,
            repo=b.repo,
            hint="update the consumer code, then refresh the binding",
        )
