"""``blue realm pr``: one PR per repo on an RFC's worktree branch, linked to each other, merged in
dependency order.

The order comes from :mod:`graphlib` over the provider -> consumer graph restricted to the repos
with changes (a provider reached through a repo without changes still counts), in sorted waves so
every machine computes the same one. Each PR's body carries the whole plan, and a consumer's says
"Blocked by" with its providers' PRs. ``merge`` walks the order, skips what is merged, and stops
at the first PR it cannot merge, reporting merged / pending / blocked for every repo. The plan is
kept beside the worktrees (``{rfc}/.prs.json``), and the local forge also records it in the realm.
"""

from __future__ import annotations

import graphlib
import json
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git, remote
from blue_tui.core.realm.errors import CycleError, GitError, ItemNotFound
from blue_tui.core.realm.forge import Forge, ForgeError, PrRequest, RepoRef, forge_for, repo_ref
from blue_tui.core.realm.fsutil import write_atomic
from blue_tui.core.realm.graph import DependencyGraph
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.runs import Cancelled, RepoOutcome, RunReport, StepProgress, check_cancel, emit
from blue_tui.core.realm.worktree_place import RfcPlace
from blue_tui.core.realm.worktree_plan import dirty_paths

PLAN = ".prs.json"
ForgeFor = Callable[[str | None], Forge]


def merge_waves(realm: Realm, repos: list[str]) -> tuple[list[list[str]], dict[str, list[str]]]:
    """``(waves, providers)`` for ``repos``: providers first, each wave sorted; ``providers[r]``
    are the repos among ``repos`` that ``r`` depends on, directly or through others."""
    graph = DependencyGraph.from_realm(realm)
    wanted = set(repos)
    providers: dict[str, list[str]] = {}
    for repo in repos:
        seen, queue, found = {repo}, deque([repo]), set()
        # walk the graph backwards: who provides to `repo`?
        while queue:
            node = queue.popleft()
            for p, row in graph.succ.items():
                if node in row and p not in seen:
                    seen.add(p)
                    queue.append(p)
                    if p in wanted:
                        found.add(p)
        providers[repo] = sorted(found)
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for repo in sorted(repos):
        sorter.add(repo, *providers[repo])
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise CycleError(list(exc.args[1]), what="the PRs' dependencies") from None
    waves = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        waves.append(ready)
        sorter.done(*ready)
    return waves, providers


class _Prs:
    def __init__(self, settings: Settings, located: Located, rfc: str | None, forge: ForgeFor | None) -> None:
        self.settings = settings
        self.realm = load_realm(located.root)
        self.rfc = rfc or _rfc_from(settings, self.realm.name, Path.cwd())
        self.place = RfcPlace(settings, self.realm.name, self.rfc)
        self.entries = self.place.repos()
        self._forge = forge
        self._forges: dict[str | None, Forge] = {}

    def forge(self, url: str | None) -> Forge:
        if url not in self._forges:
            self._forges[url] = (
                self._forge(url)
                if self._forge
                else forge_for(self.settings, self.realm.name, self.realm.root, url)
            )
        return self._forges[url]

    def ref(self, repo: str) -> RepoRef:
        entry = self.entries.get(repo, {})
        checkout = Path(str(entry.get("checkout"))) if entry.get("checkout") else None
        declared = self.realm.repos[repo].url if repo in self.realm.repos else None
        url = declared or (remote.remote_url(checkout) if checkout and git.is_repo(checkout) else None)
        return repo_ref(repo, url, checkout)

    def plan(self) -> dict[str, Any]:
        try:
            data = json.loads((self.place.dir / PLAN).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or not data.get("prs"):
            raise ItemNotFound(
                f"no PRs recorded for RFC {self.rfc!r}", hint=f"open them: `blue realm pr --rfc {self.rfc}`"
            )
        return data

    def save(self, plan: dict[str, Any]) -> None:
        write_atomic(self.place.dir / PLAN, json.dumps(plan, indent=2, sort_keys=True) + "\n")


def _rfc_from(settings: Settings, realm: str, cwd: Path) -> str:
    base = (settings.worktrees_dir / realm).resolve()
    here = cwd.resolve()
    if here == base or base in here.parents:
        rel = here.relative_to(base).parts
        if rel:
            return rel[0]
    rfcs = (
        [p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")] if base.is_dir() else []
    )
    if len(rfcs) == 1:
        return rfcs[0]
    raise ItemNotFound(
        "which RFC? run it inside one of its worktrees, or pass --rfc NAME",
        hint=f"RFCs with worktrees: {', '.join(sorted(rfcs)) or 'none'} (`blue realm worktree list`)",
    )


def _body(rfc: str, plan: dict[str, Any], repo: str) -> str:
    prs, order = plan["prs"], plan["order"]
    lines = [
        f"Part of RFC **{rfc}**, one change across {len(prs)} repos (`blue realm pr`).",
        "",
        "Merge in this order (providers first):",
        "",
        "| wave | repo | PR | waits for |",
        "|---|---|---|---|",
    ]
    for i, wave in enumerate(order, 1):
        for r in wave:
            pr = prs.get(r, {})
            mark = " (this PR)" if r == repo else ""
            lines.append(
                f"| {i} | {r}{mark} | {pr.get('url') or '-'} | {', '.join(pr.get('blocked_by') or []) or '-'} |"
            )
    blockers = [prs[p]["url"] for p in prs.get(repo, {}).get("blocked_by") or () if prs.get(p, {}).get("url")]
    if blockers:
        lines += ["", *[f"Blocked by: {u}" for u in blockers]]
    return "\n".join(lines) + "\n"


def open_prs(
    settings: Settings,
    located: Located,
    rfc: str | None = None,
    *,
    title: str | None = None,
    draft: bool = False,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
    forge: ForgeFor | None = None,
) -> RunReport:
    """Push each worktree branch and open (or update) its PR; rows: opened / no-changes / failed."""
    run = _Prs(settings, located, rfc, forge)
    if not run.entries:
        raise ItemNotFound(
            f"no worktrees for RFC {run.rfc!r}", hint=f"`blue realm worktree create --rfc {run.rfc}`"
        )
    report = RunReport("pr-open", run.realm.name, run.rfc)
    changed: list[str] = []
    bases: dict[str, str] = {}
    for repo, entry in sorted(run.entries.items()):
        checkout, branch = Path(str(entry["checkout"])), str(entry["branch"])
        base = (
            entry.get("base")
            or (run.realm.repos[repo].default_branch if repo in run.realm.repos else None)
            or "main"
        )
        bases[repo] = base
        row = RepoOutcome(repo, "ready", "", str(entry.get("path")), branch)
        try:
            ahead = int(
                git.run(["rev-list", "--count", f"refs/heads/{base}..refs/heads/{branch}"], checkout).stdout
            )
            if Path(str(entry.get("path"))).exists() and dirty_paths(Path(str(entry["path"]))):
                row.warnings.append("uncommitted changes in the worktree are not part of the PR")
        except GitError as exc:
            row.status, row.detail = "failed", str(exc)
            report.repos.append(row)
            continue
        if ahead == 0:
            row.status, row.detail = "no-changes", f"{branch} has no commits beyond {base}: no PR"
        else:
            row.detail = f"{ahead} commit(s) beyond {base}"
            changed.append(repo)
        report.repos.append(row)
    waves, providers = merge_waves(run.realm, changed)
    order = [r for wave in waves for r in wave]
    plan: dict[str, Any] = {"rfc": run.rfc, "realm": run.realm.name, "order": waves, "prs": {}}
    for i, repo in enumerate(order, 1):
        found = report.row(repo)
        assert found is not None
        row = found
        try:
            check_cancel(cancel, "realm pr")
            entry = run.entries[repo]
            emit(progress, repo, "push", i, len(order), str(entry["branch"]))
            remote.push(
                settings,
                Path(str(entry["checkout"])),
                run.realm.name,
                [f"refs/heads/{entry['branch']}:refs/heads/{entry['branch']}"],
            )
            emit(progress, repo, "open", i, len(order))
            target = run.ref(repo)
            request = PrRequest(
                title or f"RFC {run.rfc}: {repo}", "", str(entry["branch"]), bases[repo], draft=draft
            )
            pr = run.forge(target.url).open_pr(target, request)
        except Cancelled:
            report.cancelled = True
            break
        except (ForgeError, remote.RemoteError, remote.PushRejected, GitError) as exc:
            row.status, row.detail = "failed", str(exc)
            continue
        row.status, row.url = "opened", pr.url
        row.detail = f"#{pr.number} {row.detail}"
        row.warnings += list(pr.notes)
        plan["prs"][repo] = {
            "number": pr.number,
            "url": pr.url,
            "forge": pr.forge,
            "head": pr.head,
            "base": pr.base,
            "blocked_by": providers[repo],
            "repo_url": target.url,
        }
    for repo in plan["prs"]:
        emit(progress, repo, "link")
        target = run.ref(repo)
        try:
            run.forge(target.url).update_pr(
                target, int(plan["prs"][repo]["number"]), body=_body(run.rfc, plan, repo)
            )
        except ForgeError as exc:
            linked = report.row(repo)
            if linked is not None:
                linked.warnings.append(f"could not link the PRs in its body: {exc}")
    if plan["prs"]:
        run.save(plan)
        recorded = {run.forge(v.get("repo_url")).record_plan(run.rfc, plan) for v in plan["prs"].values()}
        report.details["recorded"] = sorted(r for r in recorded if r)
    report.details["order"] = waves
    report.details["plan"] = str(run.place.dir / PLAN)
    return report


def _states(run: _Prs, plan: dict[str, Any], report: RunReport) -> dict[str, str]:
    states: dict[str, str] = {}
    for repo, pr in plan["prs"].items():
        target = run.ref(repo)
        try:
            states[repo] = run.forge(pr.get("repo_url", target.url)).get_pr(target, int(pr["number"])).state
        except ForgeError as exc:
            states[repo] = "error"
            report.warnings.append(f"{repo}: {exc}")
    return states


def _rows(plan: dict[str, Any], states: dict[str, str], report: RunReport, failed: dict[str, str]) -> None:
    for wave in plan["order"]:
        for repo in wave:
            pr = plan["prs"].get(repo)
            if pr is None:
                continue
            state = states.get(repo, "open")
            waiting = [p for p in pr.get("blocked_by") or [] if states.get(p) != "merged"]
            if repo in failed:
                status, detail = "failed", failed[repo]
            elif state == "merged":
                status, detail = "merged", ""
            elif state in ("closed", "error"):
                status, detail = ("failed" if state == "error" else "closed"), ""
            elif waiting:
                status, detail = "blocked", f"waits for {', '.join(waiting)}"
            else:
                status, detail = "pending", "ready to merge"
            report.repos.append(
                RepoOutcome(
                    repo,
                    status,
                    detail,
                    branch=pr.get("head"),
                    url=pr.get("url"),
                    extra={"number": pr.get("number"), "blocked_by": pr.get("blocked_by")},
                )
            )


def pr_status(
    settings: Settings, located: Located, rfc: str | None = None, *, forge: ForgeFor | None = None
) -> RunReport:
    """merged / pending / blocked / closed per repo, in merge order."""
    run = _Prs(settings, located, rfc, forge)
    plan = run.plan()
    report = RunReport("pr-status", run.realm.name, run.rfc, details={"order": plan["order"]})
    _rows(plan, _states(run, plan, report), report, {})
    return report


def merge_prs(
    settings: Settings,
    located: Located,
    rfc: str | None = None,
    *,
    method: str = "merge",
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
    forge: ForgeFor | None = None,
) -> RunReport:
    """Merge in order, providers first; stop at the first PR that does not merge."""
    run = _Prs(settings, located, rfc, forge)
    plan = run.plan()
    report = RunReport(
        "pr-merge", run.realm.name, run.rfc, details={"order": plan["order"], "method": method}
    )
    states = _states(run, plan, report)
    failed: dict[str, str] = {}
    order = [r for wave in plan["order"] for r in wave if r in plan["prs"]]
    for i, repo in enumerate(order, 1):
        if states.get(repo) == "merged":
            continue
        if states.get(repo) != "open" or (cancel is not None and cancel.is_set()):
            report.cancelled = cancel is not None and cancel.is_set()
            if not report.cancelled:
                failed[repo] = f"cannot merge: the PR is {states.get(repo)}"
            break
        emit(progress, repo, "merge", i, len(order))
        target = run.ref(repo)
        try:
            states[repo] = (
                run.forge(plan["prs"][repo].get("repo_url", target.url))
                .merge_pr(target, int(plan["prs"][repo]["number"]), method=method)
                .state
            )
        except ForgeError as exc:
            failed[repo] = str(exc)
            break
    _rows(plan, states, report, failed)
    return report
