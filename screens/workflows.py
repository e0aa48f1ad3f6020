"""The realm git workflows behind ``s`` (sync), ``w`` (worktree menu) and ``p`` (PR status).

Each runs its core call (docs/WORKFLOWS.md) in a thread worker with a progress modal (one row
per repo; escape stops after the current step), asks before anything that changes shared state
(enter confirms, escape cancels), and ends in the per-repo result table. Sync first runs as a
dry run and shows what it would publish or pull; only a confirmed sync pushes.

Which repo they act for: :mod:`screens.workflow_target`; what their results look like:
:mod:`screens.workflow_results`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text

from screens.modals import ConfirmModal, ErrorScreen, PromptModal, ResultsModal
from screens.result_table import Result
from screens.workflow_modals import MenuModal, ProgressModal
from screens.workflow_results import describe_dry_run, run_rows, sync_note, sync_rows
from screens.workflow_target import Target, find_target

if TYPE_CHECKING:
    from textual.app import App

    from blue_tui.core.realm.runs import RunReport, Step
    from blue_tui.core.realm.sync_report import SyncReport
    from blue_tui.core.services import Services

T = TypeVar("T")
Progress = Callable[["Step"], None]


class Workflows:
    """One per app; one workflow at a time."""

    def __init__(self, app: App[Any], services: Services) -> None:
        self.app = app
        self.services = services
        #: The title of the workflow running now, else None.
        self.busy: str | None = None

    # ---- plumbing -----------------------------------------------------------------------------------

    def _selected(self) -> str | None:
        from screens.graph import GraphPane

        found = self.app.query(GraphPane)
        return found.first().selected_repo() if found else None

    def _start(self) -> bool:
        if self.services.read_only:
            return False
        if self.busy is not None:
            self.app.notify(f"{self.busy} is still running", severity="warning", timeout=3)
            return False
        return True

    def _run(
        self, title: str, work: Callable[[Progress, threading.Event], T], done: Callable[[T], None]
    ) -> None:
        """``work(progress, cancel)`` in a thread worker under a progress modal; then ``done``."""
        app = self.app
        cancel = threading.Event()
        modal = ProgressModal(title, cancel)
        self.busy = title
        app.push_screen(modal)

        def progress(step: Step) -> None:
            with contextlib.suppress(RuntimeError):  # the app is closing
                app.call_from_thread(modal.step, step)

        def run() -> None:
            outcome: tuple[Callable[[Any], None], Any]
            try:
                outcome = (done, work(progress, cancel))
            except Exception as exc:  # shown in an error screen, never raised into Textual
                outcome = (lambda e: self._failed(title, e), exc)
            with contextlib.suppress(RuntimeError):
                app.call_from_thread(self._finish, modal, *outcome)

        app.run_worker(run, name=title, group="realm-workflow", thread=True, exit_on_error=False)

    def _finish(self, modal: ProgressModal, callback: Callable[[Any], None], value: Any) -> None:
        self.busy = None  # before the callback: it may start the next step
        if modal.is_current:
            modal.dismiss()
        callback(value)

    def _failed(self, title: str, exc: BaseException) -> None:
        self.app.push_screen(ErrorScreen(f"{title}: failed", exc))

    def _realm_changed(self) -> None:
        """The realm clone moved: the graph and contracts panes load it again."""
        from screens.base import Pane

        for pane in self.app.query(Pane):
            if pane.PANE_ID in ("graph", "contracts") and pane.loaded:
                pane.refresh_data()

    # ---- s: sync ------------------------------------------------------------------------------------

    def sync(self) -> None:
        if not self._start():
            return
        from blue_tui.core.realm.sync import sync
        from blue_tui.core.realm.sync_report import SyncOptions

        services, selected = self.services, self._selected()

        def dry_run(progress: Progress, cancel: threading.Event) -> tuple[Target, SyncReport]:
            target = find_target(services, selected, need_repo=True)
            options = SyncOptions(dry_run=True)
            return target, sync(services.settings, target.located, options, progress=progress, cancel=cancel)

        self._run("Sync: what it would do (dry run)", dry_run, self._dry_run_done)

    def _dry_run_done(self, outcome: tuple[Target, SyncReport]) -> None:
        target, report = outcome
        if report.status not in ("would-publish", "would-pull"):
            self._show_sync(target, report)
            return
        if report.status == "would-publish":
            question = f"Publish {target.repo}'s realm change for review ({target.how})?"
            yes = "Publish"
        else:
            question = f"Pull {len(report.pulled)} realm commit(s) into the realm clone ({target.how})?"
            yes = "Pull"
        self.app.push_screen(
            ConfirmModal(question, describe_dry_run(report), yes=yes),
            lambda confirmed: self._sync_for_real(target) if confirmed else self._cancelled("sync"),
        )

    def _sync_for_real(self, target: Target) -> None:
        from blue_tui.core.realm.sync import sync
        from blue_tui.core.sessions.sync_notifier import SyncNotifier

        settings = self.services.settings

        def work(progress: Progress, cancel: threading.Event) -> SyncReport:
            notifier = SyncNotifier(settings, target.located.root)
            return sync(settings, target.located, progress=progress, notifier=notifier, cancel=cancel)

        def done(report: SyncReport) -> None:
            self._show_sync(target, report)
            self._realm_changed()

        self._run(f"Sync {target.repo}", work, done)

    def _show_sync(self, target: Target, report: SyncReport) -> None:
        head = "Sync (dry run)" if report.dry_run else "Sync"
        self.app.push_screen(
            ResultsModal(
                f"{head} {target.repo}: {report.status}",
                sync_rows(report),
                item_label="repo / file",
                note=sync_note(report),
            )
        )

    def _cancelled(self, what: str) -> None:
        self.app.notify(f"{what} cancelled: nothing was changed", timeout=3)

    # ---- w: worktrees ---------------------------------------------------------------------------------

    def worktree_menu(self) -> None:
        if not self._start():
            return
        self.app.push_screen(
            MenuModal(
                "Worktrees: one branch rfc/NAME across repos",
                [
                    ("create", "Create worktrees for an RFC…"),
                    ("list", "List RFC worktrees"),
                    ("remove", "Remove an RFC's worktrees…"),
                ],
            ),
            self._worktree_choice,
        )

    def _worktree_choice(self, choice: str | None) -> None:
        if choice == "create":
            self.app.push_screen(
                PromptModal(
                    "RFC name: branch rfc/NAME in the current repo and the members of its domains",
                    "e.g. s3-permissions-v2",
                ),
                self._create_worktrees,
            )
        elif choice == "list":
            self._list_worktrees()
        elif choice == "remove":
            self._pick_rfc("Remove which RFC's worktrees?", self._confirm_remove)

    def _create_worktrees(self, rfc: str | None) -> None:
        if not rfc:
            return
        from blue_tui.core.realm import worktree

        services, selected = self.services, self._selected()

        def work(progress: Progress, cancel: threading.Event) -> RunReport:
            target = find_target(services, selected, need_repo=True)
            return worktree.create(services.settings, target.located, rfc, progress=progress, cancel=cancel)

        def done(report: RunReport) -> None:
            self._show_run(f"RFC {rfc}: worktrees on {report.details.get('branch')}", report)

        self._run(f"Create worktrees for RFC {rfc}", work, done)

    def _list_worktrees(self) -> None:
        from blue_tui.core.realm import worktree

        services, selected = self.services, self._selected()

        def work(progress: Progress, cancel: threading.Event) -> list[RunReport]:
            target = find_target(services, selected, need_repo=False)
            return worktree.list_rfcs(services.settings, target.located)

        def done(reports: list[RunReport]) -> None:
            rows = []
            for r in reports:
                rows += [Result(f"{r.rfc} / {row.item}", row.status, row.detail) for row in run_rows(r)]
            if not rows:
                self.app.notify("no RFC worktrees yet (w, then Create)", timeout=4)
                return
            self.app.push_screen(ResultsModal("RFC worktrees", rows, item_label="rfc / repo"))

        self._run("List RFC worktrees", work, done)

    def _pick_rfc(self, title: str, then: Callable[[Target, RunReport], None]) -> None:
        """List the RFCs (worker), let the user pick one (menu, unless there is only one)."""
        from blue_tui.core.realm import worktree

        services, selected = self.services, self._selected()

        def work(progress: Progress, cancel: threading.Event) -> tuple[Target, list[RunReport]]:
            target = find_target(services, selected, need_repo=False)
            return target, worktree.list_rfcs(services.settings, target.located)

        def done(outcome: tuple[Target, list[RunReport]]) -> None:
            target, reports = outcome
            if not reports:
                self.app.notify("no RFC worktrees yet (w, then Create)", timeout=4)
                return
            if len(reports) == 1:
                then(target, reports[0])
                return
            by_rfc = {str(r.rfc): r for r in reports}
            self.app.push_screen(
                MenuModal(
                    title,
                    [
                        (rfc, f"{rfc}  ({', '.join(row.repo for row in r.repos)})")
                        for rfc, r in by_rfc.items()
                    ],
                ),
                lambda rfc: then(target, by_rfc[rfc]) if rfc else None,
            )

        self._run("Find RFC worktrees", work, done)

    def _confirm_remove(self, target: Target, listed: RunReport) -> None:
        repos = "\n".join(f"  {r.repo}: {r.detail or r.status} · {r.path}" for r in listed.repos)
        self.app.push_screen(
            ConfirmModal(
                f"Remove the worktrees of RFC {listed.rfc}?",
                f"{repos}\nWorktrees with changes, locks or submodules are refused (you can force them next). "
                f"Branch {listed.details.get('branch')} is deleted only where blue created it and it holds nothing new.",
                yes="Remove",
            ),
            lambda yes: (
                self._remove(target, str(listed.rfc), force=False) if yes else self._cancelled("remove")
            ),
        )

    def _remove(self, target: Target, rfc: str, *, force: bool) -> None:
        from blue_tui.core.realm import worktree

        settings = self.services.settings

        def work(progress: Progress, cancel: threading.Event) -> RunReport:
            return worktree.remove(
                settings, target.located, rfc, force=force, progress=progress, cancel=cancel
            )

        def done(report: RunReport) -> None:
            self._show_run(f"RFC {rfc}: remove worktrees" + (" (forced)" if force else ""), report)
            refused = [r for r in report.repos if r.status == "refused"]
            if refused and not force:
                names = ", ".join(r.repo for r in refused)
                self.app.push_screen(
                    ConfirmModal(
                        f"Force the removal in {names}?",
                        "\n".join(f"  {r.repo}: {r.detail}" for r in refused)
                        + "\nTheir uncommitted changes are lost.",
                        yes="Force remove",
                    ),
                    lambda yes: (
                        self._remove(target, rfc, force=True) if yes else self._cancelled("forced remove")
                    ),
                )

        self._run(f"Remove worktrees of RFC {rfc}" + (" (forced)" if force else ""), work, done)

    def _show_run(self, title: str, report: RunReport, *, link: bool = False) -> None:
        note = Text()
        if report.cancelled:
            note.append("cancelled: what this run created was rolled back\n", style="bold")
        if report.failed:
            note.append(f"{len(report.failed)} of {len(report.repos)} repo(s) failed\n", style="bold")
        self.app.push_screen(ResultsModal(title, run_rows(report, link=link), item_label="repo", note=note))

    # ---- p: pull requests ---------------------------------------------------------------------------

    def prs(self) -> None:
        if not self._start():
            return
        self._pick_rfc("PR status of which RFC?", self._pr_status)

    def _pr_status(self, target: Target, listed: RunReport) -> None:
        from blue_tui.core.realm.errors import ItemNotFound
        from blue_tui.core.realm.pr import pr_status

        settings, rfc = self.services.settings, str(listed.rfc)

        def work(progress: Progress, cancel: threading.Event) -> RunReport | None:
            try:
                return pr_status(settings, target.located, rfc)
            except ItemNotFound:
                return None  # no PRs yet: offer to open them

        def done(report: RunReport | None) -> None:
            if report is None:
                self.app.push_screen(
                    MenuModal(
                        f"RFC {rfc}: no PRs yet",
                        [("open", "Open PRs (push each repo's rfc branch, one PR per repo)…")],
                    ),
                    lambda choice: self._open_prs(target, rfc) if choice else None,
                )
                return
            order = " -> ".join(", ".join(w) for w in report.details.get("order") or [])
            self._show_run(f"RFC {rfc}: pull requests in merge order ({order or '-'})", report, link=True)
            self.app.push_screen(
                MenuModal(
                    f"RFC {rfc}: next",
                    [
                        ("open", "Open / update the PRs…"),
                        ("merge", "Merge in order, providers first…"),
                    ],
                    note="escape shows the status table",
                ),
                lambda choice: self._pr_next(target, rfc, choice),
            )

        self._run(f"PR status of RFC {rfc}", work, done)

    def _pr_next(self, target: Target, rfc: str, choice: str | None) -> None:
        if choice == "open":
            self._open_prs(target, rfc)
        elif choice == "merge":
            self.app.push_screen(
                ConfirmModal(
                    f"Merge RFC {rfc}'s PRs in order?",
                    "Providers first; it stops at the first PR that does not merge. Merged PRs are never reverted.",
                    yes="Merge",
                ),
                lambda yes: self._merge_prs(target, rfc) if yes else self._cancelled("merge"),
            )

    def _open_prs(self, target: Target, rfc: str) -> None:
        from blue_tui.core.realm.pr import open_prs

        settings = self.services.settings

        def work(progress: Progress, cancel: threading.Event) -> RunReport:
            return open_prs(settings, target.located, rfc, progress=progress, cancel=cancel)

        self._run(
            f"Open PRs for RFC {rfc}",
            work,
            lambda report: self._show_run(f"RFC {rfc}: pull requests", report, link=True),
        )

    def _merge_prs(self, target: Target, rfc: str) -> None:
        from blue_tui.core.realm.pr import merge_prs

        settings = self.services.settings

        def work(progress: Progress, cancel: threading.Event) -> RunReport:
            return merge_prs(settings, target.located, rfc, progress=progress, cancel=cancel)

        def done(report: RunReport) -> None:
            self._show_run(f"RFC {rfc}: merge in order", report, link=True)
            self._realm_changed()

        self._run(f"Merge RFC {rfc}'s PRs", work, done)
