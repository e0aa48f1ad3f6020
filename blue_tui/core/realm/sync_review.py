"""What ``realm sync`` puts up for review: the realm check of the replayed change, who reviews a
change already pushed, the PR for the ``sync/`` branch, and the notices that tell the affected
importers (best effort: git is the source of truth)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm import git, remote
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.ownership import Judge
from blue_tui.core.realm.scratch import scratch_worktree
from blue_tui.core.realm.sync_parts import commits_between, contract_changes, pr_body, pr_title, reviewers_for
from blue_tui.core.realm.sync_report import Notifier, SyncNotice, SyncReport

if TYPE_CHECKING:
    from blue_tui.core.realm.forge.base import PullRequest

_BINDING = re.compile(r"^domains/([^/]+)/bindings/[^/]+\.yaml$")


def check_result(located: Located, work: Path, tip: str, *, run_hooks: bool, use_cache: bool) -> list[Any]:
    """``realm check`` of the replayed change in ``work``, against the remote's ``tip``."""
    from blue_tui.core.realm.cache import Cache, cache_path_for
    from blue_tui.core.realm.check import CheckOptions, run_check

    at_work = Located(work, "path", located.repo_root, located.membership)
    options = CheckOptions(modes=("contract", "exporter", "importer"), against=tip, run_hooks=run_hooks)
    if not use_cache:
        return list(run_check(at_work, options).problems)
    with Cache(cache_path_for(located)) as cache:
        return list(run_check(at_work, options, cache=cache).problems)


def review_published(root: Path, repo: str, user: str, report: SyncReport) -> None:
    """Fill ``report``'s files, contracts and reviewers from the change already on the clone's base
    branch (pushed before, its PR not opened yet)."""
    tip = git.resolve(root, f"refs/remotes/origin/{report.base}") or ""
    head = git.head(root) or ""
    changes = git.diff_names(root, tip, untracked=False)
    old_root_realm = load_realm(root)
    with scratch_worktree(root, tip) as work:
        old = load_realm(work)
    report.files = Judge(old, old_root_realm, repo, user).judge(changes)
    report.contracts = contract_changes(old, old_root_realm, changes, repo)
    report.affected, report.reviewers, report.cc = reviewers_for(old_root_realm, report.contracts, repo)
    report.commit = head


def open_review_pr(
    forge: Callable[[], Any],
    realm_name: str,
    root: Path,
    repo: str,
    report: SyncReport,
    branch: str,
    commit: str,
    title: str | None,
) -> PullRequest:
    """Open the PR for ``branch`` (at ``commit``) on the realm's forge; raises ``ForgeError``."""
    from blue_tui.core.realm.forge import PrRequest, repo_ref

    subjects = [c["subject"] for c in commits_between(root, f"refs/remotes/origin/{report.base}", commit)]
    request = PrRequest(
        title=title or pr_title(repo, report.contracts, len(report.files)),
        body=pr_body(repo, report, subjects),
        head=branch,
        base=report.base,
        reviewers=tuple(report.reviewers),
    )
    target = repo_ref(realm_name, remote.remote_url(root), root)
    pr: PullRequest = forge().open_pr(target, request)
    return pr


def notices_for(realm_name: str, repo: str, report: SyncReport) -> list[SyncNotice]:
    """One notice per changed contract and per changed binding file of a published sync."""
    notices = [
        SyncNotice(
            realm_name,
            repo,
            {"A": "contract-added", "D": "contract-removed"}.get(c.change, "contract-changed"),
            c.domain,
            c.contract,
            c.from_version,
            c.to_version,
            report.branch or "",
            report.pr.url if report.pr else None,
            c.importers,
        )
        for c in report.contracts
    ]
    for f in report.files:
        m = _BINDING.match(f.path)
        if m:
            notices.append(
                SyncNotice(
                    realm_name,
                    repo,
                    "binding-changed",
                    m.group(1),
                    None,
                    None,
                    None,
                    report.branch or "",
                    report.pr.url if report.pr else None,
                )
            )
    return notices


def deliver(notifier: Notifier | None, report: SyncReport) -> None:
    """Hand ``report.notices`` to ``notifier``; a failure becomes a warning on the report."""
    if notifier is None:
        return
    for notice in report.notices:
        try:
            notifier(notice)
        except Exception as exc:  # best effort: git is the source of truth
            report.warnings.append(f"notification not delivered ({type(exc).__name__}: {exc})")
