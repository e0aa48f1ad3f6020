"""Arguments of `blue realm ...` (standard library only: imported whenever the parser is built)."""

from __future__ import annotations

import argparse

HANDLERS = "blue_tui.cli.realm"
#: The `realm admin` commands whose handlers are in their own module (cache stays in HANDLERS).
ADMIN_HANDLERS = "blue_tui.cli.realm_admin"
ADMIN_COMMANDS = frozenset({"cmd_init", "cmd_join", "cmd_leave", "cmd_domain", "cmd_contract", "cmd_binding"})
MODES = ("exporter", "importer", "contract", "compatibility", "all")

CHECK_EPILOG = """\
modes (default: exporter + importer inside a member repo, contract elsewhere):
  exporter       this repo's exports: contracts it owns, source files exist, exporter hooks pass
  importer       this repo's imports: ranges satisfied, bindings not stale, importer hooks pass
  contract       every realm file valid, evolution consistent, one owner, no cycle, and every
                 contract changed since --against (default: the previous realm commit) bumped
                 enough for its schema change
  compatibility  --contract NAME [--from V1] [--to V2], or every contract against its
                 predecessors (all of `evolution` when the contract is transitive)

hooks run only programs this repo tracks in git (not ignored, no symlink), with PATH, HOME, LANG,
the BLUE_* variables and what .blue/config.yaml lists under realm.hooks.env; another team's
contract passes arguments only to hooks listed under realm.hooks.allow_arguments.

cache: .blue/cache.db rows are authenticated (key: BLUE_CACHE_KEY or $BLUE_HOME/cache.key); a row
that does not verify is recomputed, never trusted.

output: one line per problem: SEVERITY  domain/contract  file:line (key)  [rule]  message

exit codes: 0 clean, 1 errors (or warnings with --strict), 2 warnings only, 64 usage error"""

ADMIN_EPILOG = """\
every admin command commits its change to the realm repo, refuses to overwrite what exists
(use --update to change it), and refuses a change that would close a provider -> consumer cycle."""


def _names(text: str) -> list[str]:
    """``a,b`` -> ``["a", "b"]`` (spaces around commas ignored)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _add_common(parser: argparse.ArgumentParser, *, realm: bool = True) -> None:
    if realm:
        parser.add_argument(
            "--realm",
            metavar="NAME|PATH",
            help="the realm (a name from $BLUE_HOME/index.yaml, or a realm repo folder); "
            "default: the one in this repo's .blue/config.yaml",
        )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


Subs = argparse._SubParsersAction  # the generic's parameter differs between typeshed versions


def _leaf(
    sub: Subs,  # type: ignore[type-arg]
    name: str,
    handler: str,
    help_text: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module = ADMIN_HANDLERS if handler in ADMIN_COMMANDS else HANDLERS
    parser.set_defaults(handler=f"{module}:{handler}")
    return parser


def _group(
    sub: Subs,  # type: ignore[type-arg]
    name: str,
    help_text: str,
    epilog: str | None = None,
) -> tuple[argparse.ArgumentParser, Subs]:  # type: ignore[type-arg]
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(help_parser=parser)
    children = parser.add_subparsers(title=f"{name} commands", metavar="COMMAND", parser_class=type(parser))
    return parser, children


def register(top: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `realm` command group to `blue`'s parser."""
    _, realm = _group(
        top, "realm", "a git repo of contracts between your repos: status, check, sync, worktree, pr, admin"
    )

    status = _leaf(
        realm,
        "status",
        "cmd_status",
        "show the realm: repos, domains with direction, contracts, bindings with import state, merge order",
    )
    _add_common(status)
    status.add_argument(
        "--matrix", metavar="DOMAIN", help="can-i-merge matrix: importer ranges x contract versions x verdict"
    )
    status.add_argument("--no-cache", action="store_true", help="ignore and do not write .blue/cache.db")

    check = _leaf(
        realm, "check", "cmd_check", "validate the realm and this repo's side of it (CI gate)", CHECK_EPILOG
    )
    _add_common(check)
    check.add_argument(
        "--mode",
        action="append",
        choices=MODES,
        metavar="MODE",
        help=f"one of {', '.join(MODES)} (repeatable)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1 instead of 2)")
    check.add_argument("--no-cache", action="store_true", help="ignore and do not write .blue/cache.db")
    check.add_argument("--contract", metavar="NAME", help="compatibility: the contract (NAME or DOMAIN/NAME)")
    check.add_argument("--domain", metavar="DOMAIN", help="compatibility: only this domain's contracts")
    check.add_argument(
        "--from",
        dest="from_version",
        metavar="V1",
        help="compatibility: old version (default: the one before --to)",
    )
    check.add_argument(
        "--to", dest="to_version", metavar="V2", help="compatibility: new version (default: current)"
    )
    check.add_argument(
        "--against",
        metavar="REF",
        help="contract: the realm commit to compare versions with "
        "(default: HEAD~1, or HEAD when the realm has uncommitted changes)",
    )
    check.add_argument("--hook-timeout", type=float, metavar="SECONDS", help="override every hook's timeout")
    check.add_argument("--no-hooks", action="store_true", help="do not run validation hooks")
    check.add_argument("-v", "--verbose", action="store_true", help="also print notes (info lines)")

    register_git(realm)

    _, admin = _group(
        realm, "admin", "create and change the realm (each change is one realm commit)", ADMIN_EPILOG
    )

    init = _leaf(admin, "init", "cmd_init", "create a realm repo and add it to $BLUE_HOME/index.yaml")
    init.add_argument("name", metavar="NAME")
    init.add_argument("--path", metavar="DIR", help="where to create it (default: $BLUE_HOME/realms/NAME)")
    init.add_argument("--description", default="", metavar="TEXT")
    _add_common(init, realm=False)

    join = _leaf(admin, "join", "cmd_join", "register this repo in a realm (clones the realm if given a URL)")
    join.add_argument(
        "target", metavar="REALM", help="a realm name from index.yaml, a realm folder, or a git URL"
    )
    join.add_argument(
        "--repo", metavar="NAME", help="this repo's name in the realm (default: its folder name)"
    )
    join.add_argument("--url", metavar="URL", help="this repo's clone URL (default: its origin remote)")
    join.add_argument(
        "--maintainer", action="append", default=[], metavar="EMAIL", help="repeatable (default: you)"
    )
    join.add_argument("--update", action="store_true", help="update an existing registration")
    _add_common(join, realm=False)

    leave = _leaf(admin, "leave", "cmd_leave", "unregister this repo (once it has no bindings or contracts)")
    _add_common(leave)

    domain = _leaf(admin, "domain", "cmd_domain", "create or change a domain (a coordination context)")
    domain.add_argument("name", metavar="NAME")
    domain.add_argument(
        "--repos", type=_names, metavar="A,B", help="the members (replaces them with --update)"
    )
    domain.add_argument("--add", type=_names, action="extend", default=[], metavar="A,B", help="add members")
    domain.add_argument(
        "--remove", type=_names, action="extend", default=[], metavar="A,B", help="remove members"
    )
    domain.add_argument(
        "--provider",
        type=_names,
        action="extend",
        dest="providers",
        metavar="A,B",
        help="declare direction: these members provide to the others (checked for cycles)",
    )
    domain.add_argument("--description", metavar="TEXT")
    domain.add_argument("--update", action="store_true", help="change an existing domain")
    _add_common(domain)

    contract = _leaf(
        admin, "contract", "cmd_contract", "create or change a contract (one owner, semver, schema)"
    )
    contract.add_argument("name", metavar="NAME")
    contract.add_argument("--domain", required=True, metavar="DOMAIN")
    contract.add_argument("--owner", metavar="REPO", help="the one repo that exports it (default: this repo)")
    contract.add_argument(
        "--version", metavar="X.Y.Z", help="default 1.0.0; required when the schema changes"
    )
    contract.add_argument(
        "--schema", metavar="FILE", help="JSON Schema file (JSON or YAML, or a contract file)"
    )
    contract.add_argument(
        "--compatibility",
        metavar="MODE",
        help="full|backward|forward|none, optionally _transitive (default full_transitive)",
    )
    contract.add_argument("--policy", choices=("strict", "lenient"), help="default lenient")
    contract.add_argument(
        "--prereleases",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="allow prerelease versions and ranges",
    )
    contract.add_argument("--description", metavar="TEXT")
    contract.add_argument(
        "--changes",
        action="append",
        default=[],
        metavar="TEXT",
        help="what changed, for evolution (repeatable)",
    )
    contract.add_argument("--exporter-hook", action="append", default=[], metavar="CMD")
    contract.add_argument("--importer-hook", action="append", default=[], metavar="CMD")
    contract.add_argument("--ci-hook", action="append", default=[], metavar="CMD", help="ci_only hook")
    contract.add_argument("--update", action="store_true", help="change an existing contract")
    _add_common(contract)

    binding = _leaf(admin, "binding", "cmd_binding", "create or change a repo's binding in a domain")
    binding.add_argument("domain", metavar="DOMAIN")
    binding.add_argument("--repo", metavar="NAME", help="default: this repo")
    binding.add_argument("--role", choices=("provider", "consumer", "both"))
    binding.add_argument(
        "--export",
        action="append",
        default=[],
        dest="exports",
        metavar="CONTRACT[:FILE,FILE]",
        help="export a contract this repo owns, with its source files (repeatable)",
    )
    binding.add_argument(
        "--import",
        action="append",
        default=[],
        dest="imports",
        metavar="CONTRACT@RANGE[:FILE]",
        help="import a contract, e.g. 's3-permissions@>=1.0.0 <2.0.0:cdk/stack.py' (repeatable)",
    )
    binding.add_argument(
        "--drop",
        type=_names,
        action="extend",
        default=[],
        metavar="CONTRACT",
        help="remove the import or export of CONTRACT",
    )
    binding.add_argument(
        "--refresh", action="store_true", help="re-resolve every import against the current contract versions"
    )
    binding.add_argument("--update", action="store_true", help="change an existing binding")
    _add_common(binding)

    _, cache = _group(admin, "cache", "the local cache (.blue/cache.db)")
    stats = _leaf(cache, "stats", "cmd_cache_stats", "rows, size and hit rates of the cache")
    _add_common(stats)
    clear = _leaf(cache, "clear", "cmd_cache_clear", "empty the cache (safe while other blue processes run)")
    _add_common(clear)


GIT_HANDLERS = "blue_tui.cli.realm_git"

SYNC_EPILOG = """\
publishes this repo's realm changes (the commits admin commands made in the realm clone) on
branch sync/{repo}/{timestamp} with a PR whose reviewers are the affected importers' maintainers,
after refusing files this repo does not own and running `realm check`; pulls everyone else's
changes and marks this repo's imports `outdated` when a contract moved past them. A concurrent
change to the same lines stops with three choices: rebase and retry, --force, or abort.

exit codes: 0 published / pulled / up to date / pending review, 1 refused, check failed,
conflict, push rejected, or PR not opened, 64 usage error"""

WORKTREE_EPILOG = """\
one branch, rfc/NAME, in every affected repo, checked out under $BLUE_HOME/worktrees/REALM/NAME/REPO.
exit codes: 0 every repo ok, 1 any repo failed (the table says which), 64 usage error"""

PR_EPILOG = """\
without a subcommand: push each worktree branch of the RFC and open (or update) one PR per repo,
linked to each other, merge order providers first (graphlib, deterministic).
exit codes: 0 ok, 1 any repo failed (the table says which), 64 usage error"""


def _git_leaf(
    sub: Subs,  # type: ignore[type-arg]
    name: str,
    handler: str,
    help_text: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    parser = _leaf(sub, name, handler, help_text, epilog)
    parser.set_defaults(handler=f"{GIT_HANDLERS}:{handler}")
    return parser


def register_git(realm: Subs) -> None:  # type: ignore[type-arg]
    """`realm sync`, `realm worktree`, `realm pr`, `realm credentials`."""
    sync = _git_leaf(
        realm, "sync", "cmd_sync", "publish this repo's realm changes for review; pull others'", SYNC_EPILOG
    )
    _add_common(sync)
    sync.add_argument(
        "--dry-run", action="store_true", help="fetch and show what would happen; change nothing"
    )
    sync.add_argument("--no-cache", action="store_true", help="the realm check reads every file fresh")
    sync.add_argument(
        "--force",
        action="store_true",
        help="after a concurrent change to the same lines: publish this repo's version of them",
    )
    sync.add_argument(
        "--no-hooks", action="store_true", help="do not run validation hooks in the realm check"
    )
    sync.add_argument("--title", metavar="TEXT", help="the PR's title")

    _, worktree = _group(
        realm, "worktree", "one branch across the affected repos, as worktrees", WORKTREE_EPILOG
    )
    wc = _git_leaf(
        worktree,
        "create",
        "cmd_worktree_create",
        "create the RFC's worktrees (preflight first)",
        WORKTREE_EPILOG,
    )
    wc.add_argument("--rfc", required=True, metavar="NAME")
    wc.add_argument(
        "--repos",
        type=_names,
        metavar="A,B",
        help="default: this repo and the members of its domains",
    )
    wc.add_argument(
        "--keep-going",
        action="store_true",
        help="when a repo fails, carry on with the others (default: roll back this run)",
    )
    _add_common(wc)
    wl = _git_leaf(worktree, "list", "cmd_worktree_list", "the RFCs' worktrees and their state")
    _add_common(wl)
    wr = _git_leaf(
        worktree,
        "remove",
        "cmd_worktree_remove",
        "remove the RFC's worktrees (git worktree remove)",
        WORKTREE_EPILOG,
    )
    wr.add_argument("--rfc", required=True, metavar="NAME")
    wr.add_argument(
        "--force", action="store_true", help="also remove worktrees with changes, locks or submodules"
    )
    _add_common(wr)

    pr = _git_leaf(
        realm, "pr", "cmd_pr", "open one linked PR per repo for an RFC; status; merge in order", PR_EPILOG
    )
    pr.add_argument("--rfc", metavar="NAME", help="default: the RFC of the worktree you are in")
    pr.add_argument("--title", metavar="TEXT", help="default: 'RFC NAME: REPO'")
    pr.add_argument("--draft", action="store_true", help="open them as drafts")
    _add_common(pr)
    pr_sub = pr.add_subparsers(title="pr commands", metavar="COMMAND", parser_class=type(pr))
    ps = _git_leaf(pr_sub, "status", "cmd_pr_status", "merged / pending / blocked per repo, in merge order")
    ps.add_argument("--rfc", metavar="NAME")
    _add_common(ps)
    pm = _git_leaf(
        pr_sub, "merge", "cmd_pr_merge", "merge in order, providers first; stop at the first failure"
    )
    pm.add_argument("--rfc", metavar="NAME")
    pm.add_argument("--method", choices=("merge", "squash", "rebase"), default="merge")
    _add_common(pm)

    _, creds = _group(realm, "credentials", "tokens for the realm's remote and forge (never printed)")
    cs = _git_leaf(
        creds, "status", "cmd_credentials_status", "which layer answers: env, git credential, keyring, file"
    )
    _add_common(cs)
