"""``--mode compatibility``: one contract between two versions (``--contract --from --to``), or every
contract against its predecessors (every earlier ``evolution`` version when transitive), with the
old schemas taken from the realm's git history."""

from __future__ import annotations

from blue_tui.core.realm import semver
from blue_tui.core.realm.check.context import CheckContext
from blue_tui.core.realm.compatcheck import check_pair, problems_for
from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.model import Contract
from blue_tui.core.realm.problems import Severity


def against_version(
    ctx: CheckContext, con: Contract, old_version: str, *, reason: str, new_version: str | None = None
) -> None:
    new_version = new_version or con.version
    old = ctx.history.schema(con.domain, con.name, old_version)
    new = ctx.history.schema(con.domain, con.name, new_version)
    if old is None or new is None:
        missing = old_version if old is None else new_version
        # Asked for: an error. A version listed before the realm tracked the contract, met while
        # checking every contract transitively: a note (no later commit can fix it).
        severity: Severity = (
            "error" if reason == "requested" else "info" if reason == "transitive" else "warning"
        )
        ctx.sink.add(
            severity,
            "schema-unavailable",
            f"no commit of the realm has {con.ref} at {missing}; cannot check {old_version} -> {new_version}",
            file=con.file,
            key="evolution",
            domain=con.domain,
            contract=con.name,
            hint="versions written before the realm tracked the contract "
            "cannot be checked; drop them from evolution or accept the warning",
        )
        return
    result = check_pair(
        con,
        old_version,
        old.schema,
        new_version,
        new.schema,
        reason=reason,
        source=old.commit or "working tree",
    )
    ctx.compat.append(result)
    ctx.sink.extend(problems_for(result, file=con.file))


def compatibility(ctx: CheckContext) -> None:
    opts = ctx.options
    if opts.contract is None:
        if opts.from_version or opts.to_version:
            raise InvalidInput("--from/--to need --contract NAME")
        ctx.history.prefetch_all()
        for con in sorted(ctx.realm.contracts.values(), key=lambda c: c.ref):
            if opts.domain and con.domain != opts.domain:
                continue
            earlier = [e.version for e in con.evolution if semver.compare(e.version, con.version) < 0]
            if not earlier:
                continue
            transitive = con.compatibility.transitive
            for v in earlier if transitive else [max(earlier, key=semver.key)]:
                against_version(ctx, con, v, reason="transitive" if transitive else "predecessor")
        return
    con = ctx.find_contract(opts.contract, opts.domain)
    to_v = opts.to_version or con.version
    if opts.from_version is None:
        earlier = [
            v
            for v in {*(e.version for e in con.evolution), *ctx.history.versions(con.domain, con.name)}
            if semver.is_version(v) and semver.compare(v, to_v) < 0
        ]
        if not earlier:
            raise InvalidInput(
                f"{con.ref} has no version before {to_v} to compare with", hint="give --from VERSION"
            )
        from_v = max(earlier, key=semver.key)
    else:
        from_v = opts.from_version
    for flag, v in (("--from", from_v), ("--to", to_v)):
        why = semver.version_problem(v)
        if why:
            raise InvalidInput(f"{flag} {why}")
    against_version(ctx, con, from_v, reason="requested", new_version=to_v)
