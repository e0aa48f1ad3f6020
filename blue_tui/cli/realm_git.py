"""`blue realm sync | worktree | pr | credentials` handlers: parse, call the core, print.

Ctrl-C during a multi-repo command asks the core to stop between steps (it rolls back what the
run created); a second Ctrl-C interrupts at once (the journal lets the next run undo the rest).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from blue_tui.cli.output import emit_json, note, table
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_FAILURE, EXIT_OK, BlueError
from blue_tui.core.realm.locate import Located, find_realm
from blue_tui.core.realm.runs import RunReport, Step


def _located(args: argparse.Namespace, settings: Settings) -> Located:
    """``--realm``, else the current repo's realm; inside an RFC worktree
    (``$BLUE_HOME/worktrees/REALM/RFC/REPO``), that realm."""
    realm = getattr(args, "realm", None)
    here = Path.cwd().resolve()
    base = settings.worktrees_dir.resolve()
    if realm is None and base in here.parents and len(here.relative_to(base).parts) >= 3:
        try:
            return find_realm(settings, None, here)
        except BlueError:
            realm = here.relative_to(base).parts[0]
    return find_realm(settings, realm, here)


@contextmanager
def _cancellable() -> Iterator[threading.Event]:
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()
        note("stopping after the current step (Ctrl-C again to stop now)...")

    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield event
    finally:
        signal.signal(signal.SIGINT, old)


def _progress(args: argparse.Namespace) -> Any:
    if args.json or not sys.stderr.isatty():
        return None

    def show(step: Step) -> None:
        where = f"[{step.repo}] " if step.repo else ""
        count = f" ({step.index}/{step.total})" if step.total else ""
        note(f"{where}{step.step}{count}{': ' + step.detail if step.detail else ''}")

    return show


def clone_note(located: Located, *, quiet: bool) -> dict[str, Any] | None:
    """How old a realm clone under $BLUE_HOME is (read commands work offline from it)."""
    if located.how not in ("index", "repo-config"):
        return None
    from blue_tui.core.realm.clone import freshness

    fresh = freshness(located.root)
    if fresh is None:
        return None
    if not quiet:
        note(fresh.describe() + " (offline copy; `blue realm sync` fetches)")
    return fresh.as_json()


# ---- sync ----------------------------------------------------------------------------------------


def cmd_sync(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.sync import sync
    from blue_tui.core.realm.sync_report import SyncOptions
    from blue_tui.core.sessions.sync_notifier import SyncNotifier

    settings = Settings.from_env()
    located = _located(args, settings)
    options = SyncOptions(
        dry_run=args.dry_run,
        use_cache=not args.no_cache,
        force=args.force,
        run_hooks=not args.no_hooks,
        title=args.title,
    )
    with _cancellable() as cancel:
        report = sync(
            settings,
            located,
            options,
            progress=_progress(args),
            notifier=SyncNotifier(settings, located.root),
            cancel=cancel,
        )
    if args.json:
        emit_json(report.as_json())
        return report.exit_code
    _print_sync(report)
    return report.exit_code


def _print_sync(report: Any) -> None:
    out = sys.stdout if report.ok else sys.stderr
    head = "realm sync" + (" (dry run)" if report.dry_run else "")
    print(f"{head}: {report.status}: {report.message}", file=out)
    for f in report.files:
        mark = "" if f.allowed else "  REFUSED"
        print(f"  {f.change} {f.path}  (owner: {f.owner}){mark}", file=out)
    for c in report.contracts:
        print(
            f"  contract {c.domain}/{c.contract} {c.from_version or 'new'} -> {c.to_version or 'removed'}"
            f" (importers: {', '.join(c.importers) or 'none'})",
            file=out,
        )
    if report.reviewers or report.cc:
        print(
            f"  reviewers: {', '.join(report.reviewers) or '-'}; cc: {', '.join(report.cc) or '-'}", file=out
        )
    for p in report.problems:
        if p.severity != "info":
            print(f"  {p.line_text()}", file=out)
    for line in report.pulled:
        print(f"  pulled: {line}", file=out)
    for o in report.outdated:
        print(
            f"  outdated: {o.domain}/{o.contract} resolved {o.resolved_version}, now {o.version} "
            f"(`blue realm admin binding {o.domain} --update --refresh`)",
            file=out,
        )
    for line in report.remote_lines:
        print(f"  remote: {line}", file=out)
    if report.conflict:
        c = report.conflict
        for t in c.theirs:
            via = f" ({t['branch']})" if t.get("branch") else ""
            print(f"  Their change: {t['subject']}{via}: {', '.join(t['files'])}", file=out)
        print(f"  Your change: {', '.join(c.yours) or '-'}", file=out)
        print("  Options:", file=out)
        for i, choice in enumerate(c.choices, 1):
            print(f"    {i}. {choice.label}", file=out)
            print(f"       {choice.command}", file=out)
    for w in report.warnings:
        note(f"warning: {w}")
    if report.hint and not report.conflict:
        print(f"  hint: {report.hint}", file=out)


# ---- worktree / pr tables ------------------------------------------------------------------------


def _print_run(report: RunReport, *, title: str, link: bool = False) -> None:
    rows = [(r.repo, r.status, r.detail, r.url if link else r.path) for r in report.repos]
    table(title, ["repo", "status", "detail", "PR" if link else "path"], rows)
    for r in report.repos:
        for w in r.warnings:
            note(f"warning: {r.repo}: {w}")
        hint = r.extra.get("hint")
        if hint and r.failed:
            note(f"  hint ({r.repo}): {hint}")
    for w in report.warnings:
        note(f"note: {w}")
    if report.failed:
        note(
            f"{len(report.failed)} of {len(report.repos)} repo(s) failed: {', '.join(r.repo for r in report.failed)}"
        )
    if report.cancelled:
        note("cancelled: what this run created was rolled back")


def _finish(args: argparse.Namespace, report: RunReport, title: str, *, link: bool = False) -> int:
    if args.json:
        emit_json(report.as_json())
    else:
        _print_run(report, title=title, link=link)
    return report.exit_code


def cmd_worktree_create(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.worktree import create

    settings = Settings.from_env()
    located = _located(args, settings)
    with _cancellable() as cancel:
        report = create(
            settings,
            located,
            args.rfc,
            repos=args.repos,
            keep_going=args.keep_going,
            progress=_progress(args),
            cancel=cancel,
        )
    return _finish(args, report, f"RFC {report.rfc}: worktrees on {report.details.get('branch')}")


def cmd_worktree_list(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.worktree import list_rfcs

    settings = Settings.from_env()
    reports = list_rfcs(settings, _located(args, settings))
    if args.json:
        emit_json({"rfcs": [r.as_json() for r in reports]})
        return EXIT_OK
    if not reports:
        print("no RFC worktrees (create some with `blue realm worktree create --rfc NAME`)")
    for r in reports:
        _print_run(r, title=f"RFC {r.rfc} ({r.details.get('branch')}, {r.details.get('dir')})")
    return EXIT_OK


def cmd_worktree_remove(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.worktree import remove

    settings = Settings.from_env()
    located = _located(args, settings)
    with _cancellable() as cancel:
        report = remove(
            settings, located, args.rfc, force=args.force, progress=_progress(args), cancel=cancel
        )
    return _finish(args, report, f"RFC {report.rfc}: remove worktrees")


def cmd_pr(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.pr import open_prs

    settings = Settings.from_env()
    located = _located(args, settings)
    with _cancellable() as cancel:
        report = open_prs(
            settings,
            located,
            args.rfc,
            title=args.title,
            draft=args.draft,
            progress=_progress(args),
            cancel=cancel,
        )
    code = _finish(args, report, f"RFC {report.rfc}: pull requests", link=True)
    if not args.json:
        order = " -> ".join(", ".join(w) for w in report.details.get("order") or [])
        print(f"merge order (providers first): {order or '-'}")
        for where in report.details.get("recorded") or []:
            print(f"plan recorded: {where}")
    return code


def cmd_pr_status(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.pr import pr_status

    settings = Settings.from_env()
    report = pr_status(settings, _located(args, settings), args.rfc)
    return _finish(args, report, f"RFC {report.rfc}: pull requests in merge order", link=True)


def cmd_pr_merge(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.pr import merge_prs

    settings = Settings.from_env()
    located = _located(args, settings)
    with _cancellable() as cancel:
        report = merge_prs(
            settings, located, args.rfc, method=args.method, progress=_progress(args), cancel=cancel
        )
    return _finish(args, report, f"RFC {report.rfc}: merge in order ({args.method})", link=True)


# ---- credentials ---------------------------------------------------------------------------------


def cmd_credentials_status(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.forge import credential_report
    from blue_tui.core.realm.loader import load_realm

    settings = Settings.from_env()
    located = _located(args, settings)
    name = load_realm(located.root).name
    report = credential_report(settings, name, located.root)
    code = EXIT_OK if report.answered_by else EXIT_FAILURE
    if args.json:
        emit_json({**report.as_json(), "exit_code": code})
        return code
    host = report.host or "no https host (ssh or local remote: git's own setup applies)"
    print(f"realm {report.realm}: {host}{' (GitHub)' if report.github else ''}")
    print(
        f"answered by: {report.answered_by + ' (' + str(report.source) + ')' if report.answered_by else 'nothing'}"
    )
    table(None, ["layer", "state", "detail"], [(x.layer, x.state, x.detail) for x in report.layers])
    return code
