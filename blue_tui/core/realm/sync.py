"""``blue realm sync``: publish this repo's realm changes for review, and pull everyone else's.

Local admin commands commit to the realm clone's base branch. Sync then:

1. fetches the remote (and holds the realm lock, so admin commands wait);
2. nothing local: fast-forwards the clone and marks this repo's imports ``outdated`` where a
   contract moved past what they resolved (:mod:`.outdated`);
3. local commits: squashes them into one change and replays it on the remote's tip in a scratch
   worktree (:mod:`.scratch`; the user's clone is never half-way). A concurrent change that
   touched other lines is absorbed here (rebase); one that touched the same lines stops with the
   three choices of seed 004 round 11, unless ``force`` publishes this repo's version;
4. refuses files this repo does not own (:mod:`.ownership`), runs ``realm check`` on the result;
5. pushes ``sync/{repo}/{timestamp}``; if the remote's base moved meanwhile (a concurrent sync
   merged first), rebases and pushes again, up to ``retries`` times;
6. opens a PR with the affected importers' maintainers as reviewers, tells the notifier, and moves
   the clone's base branch to the published change (so local checks see it while it is reviewed).

A change already published (same patch) is not published twice: sync reports it ``pending`` and
only pulls; once merged upstream it drops out by itself.

This module runs the steps; the git mechanics (patch id, squash and replay, push) are in
:mod:`.sync_git`, the check of the result, the PR and the notices in :mod:`.sync_review`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git, remote
from blue_tui.core.realm.clone import read_ref
from blue_tui.core.realm.errors import NotInRepo, RealmDirty
from blue_tui.core.realm.fsutil import locked
from blue_tui.core.realm.loader import REALM_PATHSPECS, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.outdated import mark, moved_past
from blue_tui.core.realm.ownership import Judge
from blue_tui.core.realm.runs import StepProgress, check_cancel, emit
from blue_tui.core.realm.scratch import scratch_worktree, sweep
from blue_tui.core.realm.sync_git import (
    ENV,
    delete_branch,
    patch_id,
    push_branch,
    ready_clone,
    replay_squashed,
    stamp,
)
from blue_tui.core.realm.sync_parts import (
    StateFile,
    commits_between,
    conflict_report,
    contract_changes,
    reviewers_for,
)
from blue_tui.core.realm.sync_report import Notifier, Outdated, SyncOptions, SyncReport
from blue_tui.core.realm.sync_review import (
    check_result,
    deliver,
    notices_for,
    open_review_pr,
    review_published,
)


def _lock_path(root: Path) -> Path:
    """The admin commands' lock: sync and admin changes never interleave."""
    dot_git = root / ".git"
    return dot_git / "blue-admin.lock" if dot_git.is_dir() else root / ".blue" / "admin.lock"


class _Sync:
    def __init__(
        self,
        settings: Settings,
        located: Located,
        options: SyncOptions,
        progress: StepProgress | None,
        notifier: Notifier | None,
        cancel: threading.Event | None,
        forge: Any,
    ) -> None:
        membership = located.membership
        if located.repo_root is None or membership is None:
            raise NotInRepo(
                "realm sync publishes one repo's realm changes: run it inside a member repo's checkout",
                hint="cd into your repo (its .blue/config.yaml names the realm), or join first: "
                "`blue realm admin join URL`",
            )
        self.settings = settings
        self.located = located
        self.root = located.root
        self.repo = membership.repo
        self.realm_name = membership.name
        self.options = options
        self.progress = progress
        self.notifier = notifier
        self.cancel = cancel
        self.forge = forge
        self.state = StateFile(self.root)
        self.url = ""

    def step(self, name: str, detail: str = "") -> None:
        emit(self.progress, self.repo, name, detail=detail)
        check_cancel(self.cancel, "realm sync")

    # ---- the run ---------------------------------------------------------------------------------

    def run(self) -> SyncReport:
        self.url, base = ready_clone(self.root, self.realm_name)
        with locked(_lock_path(self.root), what=f"realm {self.realm_name}"):
            probe = git.StatusProbe(self.root, REALM_PATHSPECS)
            self.step("fetch", remote.redact(self.url))
            try:
                remote.fetch(self.settings, self.root, self.realm_name, url=self.url)
            finally:
                dirty = probe.result()
            if dirty:
                raise RealmDirty(str(self.root), dirty)
            sweep(self.root)
            tracking = f"refs/remotes/origin/{base}"
            report = SyncReport(
                self.realm_name, self.repo, "up-to-date", dry_run=self.options.dry_run, base=base
            )
            tip = read_ref(self.root, tracking)
            if tip is not None and tip == read_ref(self.root, f"refs/heads/{base}"):
                self.state.clear(self.repo)
                return self.done(report, "the realm clone is up to date")
            proc = git.run(
                ["rev-list", "--left-right", "--count", f"HEAD...{tracking}"], self.root, check=False
            )
            counts = proc.stdout.split()
            if proc.returncode != 0 or len(counts) != 2:
                raise remote.RemoteError(
                    f"the realm remote has no branch {base}",
                    hint=f"push the realm once: `git -C {self.root} push -u origin {base}`",
                )
            ahead, behind = int(counts[0]), int(counts[1])
            if ahead == 0 and behind == 0:
                self.state.clear(self.repo)
                return self.done(report, "the realm clone is up to date")
            tip = git.resolve(self.root, tracking)
            head = git.head(self.root)
            assert tip is not None and head is not None
            if ahead == 0:
                self.state.clear(self.repo)
                return self.pull(report, head, tip)
            mb = git.run(["merge-base", head, tip], self.root).stdout.decode().strip()
            patch = patch_id(self.root, mb, head)
            published = self.state.get(self.repo)
            if patch is None:
                return self.pull_over_empty(report, head, tip, mb)
            if published and published.get("patch_id") == patch:
                return self.pending(report, head, tip, mb, published)
            return self.publish(report, head, tip, mb, published)

    def done(self, report: SyncReport, message: str, status: str | None = None) -> SyncReport:
        if status:
            report.status = status
        report.message = message
        return report

    # ---- pull ------------------------------------------------------------------------------------

    def pull(self, report: SyncReport, head: str, tip: str) -> SyncReport:
        report.pulled = [c["subject"] for c in commits_between(self.root, head, tip)]
        self.step("pull", f"{len(report.pulled)} commit(s)")
        before = load_realm(self.root)
        if self.options.dry_run:
            with scratch_worktree(self.root, tip) as work:
                report.outdated = moved_past(before, load_realm(work), self.repo)
            return self.done(report, f"would pull {len(report.pulled)} commit(s)", "would-pull")
        git.run(["merge", "--ff-only", "-q", tip], self.root, env=ENV)
        report.outdated = self.mark_outdated(before)
        report.commit = git.head(self.root)
        marks = f"; marked {len(report.outdated)} import(s) outdated" if report.outdated else ""
        return self.done(report, f"pulled {len(report.pulled)} commit(s){marks}", "pulled")

    def mark_outdated(self, before: Realm) -> list[Outdated]:
        items = moved_past(before, load_realm(self.root), self.repo)
        changed = mark(self.root, self.repo, items)
        if changed:
            names = ", ".join(f"{o.domain}/{o.contract} {o.resolved_version} -> {o.version}" for o in items)
            cfg = git.identity_config(self.root, self.settings.user)
            git.commit(self.root, changed, f"realm: mark {self.repo}'s imports outdated: {names}", config=cfg)
        return items

    def pull_over_empty(self, report: SyncReport, head: str, tip: str, mb: str) -> SyncReport:
        """Local commits that change nothing any more (their effect is upstream already)."""
        if self.options.dry_run:
            return self.done(report, "local commits are already in the realm; would pull", "would-pull")
        before = load_realm(self.root)
        git.run(["reset", "-q", "--keep", tip], self.root, env=ENV)
        report.outdated = self.mark_outdated(before)
        self.state.clear(self.repo)
        return self.done(report, "your local changes are in the realm already; pulled", "pulled")

    def pending(
        self, report: SyncReport, head: str, tip: str, mb: str, published: dict[str, Any]
    ) -> SyncReport:
        report.branch = published.get("branch")
        pr = published.get("pr") or {}
        if mb == tip:
            if not pr and not self.options.dry_run:
                return self.open_pr_again(report, published)
            return self.done(
                report,
                f"nothing new: your change waits for review on {report.branch} ({pr.get('url', 'no PR yet')})",
                "pending",
            )
        # The remote moved while our change is in review: replay it on the new tip (pull).
        with scratch_worktree(self.root, tip) as work:
            outcome = self.replay(report, work, head, mb, tip)
            if outcome is not None:
                return outcome
            new_head = git.head(work)
            assert new_head is not None
            if new_head == tip:  # merged upstream
                return self.pull_over_empty(report, head, tip, mb)
            report.pulled = [c["subject"] for c in commits_between(self.root, mb, tip)]
            if self.options.dry_run:
                return self.done(
                    report,
                    f"would pull {len(report.pulled)} commit(s) under your pending change",
                    "would-pull",
                )
            before = load_realm(self.root)
            git.run(["reset", "-q", "--keep", new_head], self.root, env=ENV)
        report.outdated = self.mark_outdated(before)
        self.state.put(
            self.repo, {**published, "commit": new_head, "patch_id": patch_id(self.root, tip, new_head)}
        )
        return self.done(
            report,
            f"pulled {len(report.pulled)} commit(s); your change waits for review on {report.branch}",
            "pending",
        )

    # ---- publish ---------------------------------------------------------------------------------

    def replay(self, report: SyncReport, work: Path, head: str, mb: str, tip: str) -> SyncReport | None:
        """Put the squashed local change on top of ``tip`` in ``work``; a report if it conflicts."""
        subjects = [c["subject"] for c in commits_between(self.root, mb, head)]
        cfg = git.identity_config(self.root, self.settings.user)
        message = f"realm sync: {self.repo}\n\n" + "\n".join(f"- {s}" for s in subjects)
        unmerged = replay_squashed(
            self.root, work, head, mb, tip, message=message, cfg=cfg, force=self.options.force
        )
        if unmerged is not None:
            yours = [p for _, p in git.diff_names(self.root, mb, untracked=False)] if mb != head else []
            report.conflict = conflict_report(self.root, self.repo, mb, tip, yours, unmerged, head)
            report.hint = report.conflict.choices[0].command
            return self.done(
                report,
                f"a change merged into the realm meanwhile touches the same lines: {', '.join(unmerged) or 'files'}",
                "conflict",
            )
        return None

    def publish(
        self, report: SyncReport, head: str, tip: str, mb: str, published: dict[str, Any] | None
    ) -> SyncReport:
        branch = f"sync/{self.repo}/{stamp()}"
        pushed: str | None = None
        for attempt in range(max(1, self.options.retries + 1)):
            report.retries = attempt
            with scratch_worktree(self.root, tip) as work:
                self.step("replay", f"onto {tip[:12]}")
                old = load_realm(work)
                outcome = self.replay(report, work, head, mb, tip)
                if outcome is not None:
                    if pushed:
                        delete_branch(self.settings, self.root, self.realm_name, branch, pushed)
                    return outcome
                new_commit = git.head(work)
                assert new_commit is not None
                if new_commit == tip:
                    return self.pull_over_empty(report, head, tip, mb)
                new = load_realm(work)
                failure = self.judge_and_check(report, work, old, new, tip)
                if failure is not None:
                    if pushed:
                        delete_branch(self.settings, self.root, self.realm_name, branch, pushed)
                    return failure
                report.commit = new_commit
                if self.options.dry_run:
                    report.branch = branch
                    return self.done(
                        report, f"would publish {len(report.files)} file(s) on {branch}", "would-publish"
                    )
                self.step("push", branch)
                try:
                    branch = push_branch(
                        self.settings, self.root, self.realm_name, branch, new_commit, pushed
                    )
                except remote.PushRejected as exc:
                    report.remote_lines = exc.remote_lines
                    report.hint = exc.hint
                    return self.done(report, str(exc), "push-rejected")
                pushed = new_commit
                report.branch = branch
                self.step("verify", "has the realm moved meanwhile?")
                remote.fetch(
                    self.settings,
                    self.root,
                    self.realm_name,
                    refspecs=[f"+refs/heads/{report.base}:refs/remotes/origin/{report.base}"],
                )
                latest = git.resolve(self.root, f"refs/remotes/origin/{report.base}")
                if latest == tip or latest is None:
                    break
                report.warnings.append(
                    f"the realm moved while syncing ({tip[:12]} -> {latest[:12]}): rebased"
                )
                tip = latest
        else:
            report.hint = "run `blue realm sync` again"
            return self.done(report, "the realm kept moving while syncing; gave up", "conflict")
        assert pushed is not None
        git.run(["reset", "-q", "--keep", pushed], self.root, env=ENV)
        record = {
            "branch": branch,
            "commit": pushed,
            "patch_id": patch_id(self.root, tip, pushed),
            "pr": None,
        }
        self.state.put(self.repo, record)
        if published and published.get("pr"):
            report.warnings.append(
                f"this sync supersedes {published.get('branch')} ({published['pr'].get('url')}): close that PR"
            )
        return self.open_pr(report, record)

    def judge_and_check(
        self, report: SyncReport, work: Path, old: Realm, new: Realm, tip: str
    ) -> SyncReport | None:
        changes = git.diff_names(work, tip, untracked=False)
        report.files = Judge(old, new, self.repo, self.settings.user).judge(changes)
        refused = [f for f in report.files if not f.allowed]
        if refused:
            report.hint = "undo those changes in the realm clone (`git -C REALM log`), or ask their owners"
            lines = "; ".join(f"{f.path} (only {f.owner} may change it)" for f in refused)
            return self.done(report, f"{self.repo} does not own: {lines}", "refused")
        report.contracts = contract_changes(old, new, changes, self.repo)
        report.affected, report.reviewers, report.cc = reviewers_for(new, report.contracts, self.repo)
        self.step("check", "realm check")
        report.problems = check_result(
            self.located, work, tip, run_hooks=self.options.run_hooks, use_cache=self.options.use_cache
        )
        errors = [p for p in report.problems if p.severity == "error"]
        if errors:
            report.hint = (
                f"fix them, then run `blue realm sync` again (`blue realm check --realm {self.root}`)"
            )
            return self.done(
                report,
                f"realm check failed: {len(errors)} error(s), first: {errors[0].message}",
                "check-failed",
            )
        return None

    # ---- the PR ----------------------------------------------------------------------------------

    def _forge(self) -> Any:
        if self.forge is None:
            from blue_tui.core.realm.forge import forge_for

            self.forge = forge_for(self.settings, self.realm_name, self.root, remote.remote_url(self.root))
        return self.forge

    def open_pr_again(self, report: SyncReport, record: dict[str, Any]) -> SyncReport:
        review_published(self.root, self.repo, self.settings.user, report)
        return self.open_pr(report, record)

    def open_pr(self, report: SyncReport, record: dict[str, Any]) -> SyncReport:
        from blue_tui.core.realm.forge import ForgeError

        branch = str(record["branch"])
        report.branch = branch
        self.step("pr", branch)
        try:
            pr = open_review_pr(
                self._forge,
                self.realm_name,
                self.root,
                self.repo,
                report,
                branch,
                str(record["commit"]),
                self.options.title,
            )
        except ForgeError as exc:
            report.hint = f"{exc.hint + '; ' if exc.hint else ''}then `blue realm sync` opens the PR (the branch is pushed)"
            return self.done(report, f"pushed {branch}, but the PR was not opened: {exc}", "pr-failed")
        report.pr = pr
        report.warnings.extend(pr.notes)
        self.state.put(self.repo, {**record, "pr": {"number": pr.number, "url": pr.url, "forge": pr.forge}})
        report.notices = notices_for(self.realm_name, self.repo, report)
        deliver(self.notifier, report)
        return self.done(report, f"published {branch}: {pr.url}", "published")


def sync(
    settings: Settings,
    located: Located,
    options: SyncOptions | None = None,
    *,
    progress: StepProgress | None = None,
    notifier: Notifier | None = None,
    cancel: threading.Event | None = None,
    forge: Any = None,
) -> SyncReport:
    """Sync this repo's realm changes (see the module docstring). Never prints; safe in a worker
    thread. ``forge``: a :class:`~.forge.base.Forge` to use instead of the configured one."""
    return _Sync(settings, located, options or SyncOptions(), progress, notifier, cancel, forge).run()
