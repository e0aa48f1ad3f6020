"""The local forge: pull requests and coordinated plans recorded in the realm repo, for realms
whose repos live on a plain git server (a bare repo on a shared disk, ssh) with no forge API.

A PR is a JSON record ``prs/{repo}/{number}.json`` on the realm repo's ``blue/forge`` branch
(:mod:`.refstore`), so every participant sees it after a fetch. Merging one really merges:
the head branch into the base in a scratch worktree of the repo's checkout, pushed to its remote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import GitError
from blue_tui.core.realm.forge.base import (
    MERGE_METHODS,
    ForgeConflict,
    ForgeError,
    ForgeNotFound,
    PrRequest,
    PullRequest,
    RepoRef,
)
from blue_tui.core.realm.forge.refstore import RefStore
from blue_tui.core.realm.remote import PushRejected, RemoteError, fetch, push
from blue_tui.core.realm.scratch import scratch_worktree


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class LocalForge:
    kind = "local"

    def __init__(self, settings: Settings, realm: str, realm_root: Path) -> None:
        self.settings = settings
        self.realm = realm
        self.store = RefStore(settings, realm, realm_root)

    def __repr__(self) -> str:
        return f"<LocalForge realm={self.realm} {self.store.where()}>"

    def url(self, repo: str, number: int) -> str:
        return f"local:{self.realm}/{repo}#{number}"

    def _pr(self, rec: dict[str, Any]) -> PullRequest:
        return PullRequest(
            repo=str(rec["repo"]),
            number=int(rec["number"]),
            url=self.url(str(rec["repo"]), int(rec["number"])),
            title=str(rec.get("title", "")),
            head=str(rec.get("head", "")),
            base=str(rec.get("base", "")),
            state=str(rec.get("state", "open")),
            forge=self.kind,
            reviewers=tuple(rec.get("reviewers") or ()),
        )

    def open_pr(self, repo: RepoRef, request: PrRequest) -> PullRequest:
        prefix = f"prs/{repo.name}/"

        def mutate(records: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            numbers = [int(r["number"]) for r in records.values() if isinstance(r, dict) and "number" in r]
            for path, old in records.items():
                if isinstance(old, dict) and old.get("head") == request.head and old.get("state") == "open":
                    rec = {
                        **old,
                        "title": request.title,
                        "body": request.body,
                        "reviewers": sorted(set(old.get("reviewers") or ()) | set(request.reviewers)),
                        "updated_at": _now(),
                    }
                    return {path: rec}, rec
            number = max(numbers, default=0) + 1
            rec = {
                "repo": repo.name,
                "number": number,
                "title": request.title,
                "body": request.body,
                "head": request.head,
                "base": request.base,
                "reviewers": sorted(set(request.reviewers)),
                "draft": request.draft,
                "state": "open",
                "url": repo.url,
                "created_by": self.settings.user,
                "created_at": _now(),
                "updated_at": _now(),
            }
            return {f"{prefix}{number}.json": rec}, rec

        rec = self.store.update(prefix, mutate, f"forge: {repo.name}: open {request.head} -> {request.base}")
        return self._pr(rec)

    def _record(self, repo: RepoRef, number: int) -> dict[str, Any]:
        self.store.refresh()
        rec = self.store.read(f"prs/{repo.name}/{number}.json").get(f"prs/{repo.name}/{number}.json")
        if not isinstance(rec, dict):
            raise ForgeNotFound(
                f"no pull request {self.url(repo.name, number)} in {self.store.where()}",
                hint="see `blue realm pr status`",
            )
        return rec

    def _merged_by_hand(self, repo: RepoRef, rec: dict[str, Any]) -> bool:
        """An open record whose head someone merged with plain git counts as merged."""
        root = repo.local_path
        if root is None or not git.is_repo(root):
            return False
        head = git.resolve(root, f"refs/remotes/{repo.remote}/{rec.get('head')}")
        base = git.resolve(root, f"refs/remotes/{repo.remote}/{rec.get('base')}")
        return bool(head and base and head != base and git.is_ancestor(root, head, base))

    def get_pr(self, repo: RepoRef, number: int) -> PullRequest:
        rec = self._record(repo, number)
        if rec.get("state") == "open" and self._merged_by_hand(repo, rec):
            rec = {**rec, "state": "merged"}
        return self._pr(rec)

    def _set(self, repo: RepoRef, number: int, changes: dict[str, Any], what: str) -> PullRequest:
        path = f"prs/{repo.name}/{number}.json"

        def mutate(records: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
            rec = records.get(path)
            if not isinstance(rec, dict):
                return {}, None
            rec = {**rec, **changes, "updated_at": _now()}
            return {path: rec}, rec

        rec = self.store.update(path, mutate, f"forge: {repo.name}#{number}: {what}")
        if rec is None:
            raise ForgeNotFound(f"no pull request {self.url(repo.name, number)} in {self.store.where()}")
        return self._pr(rec)

    def update_pr(self, repo: RepoRef, number: int, *, body: str) -> PullRequest:
        return self._set(repo, number, {"body": body}, "update body")

    def merge_pr(self, repo: RepoRef, number: int, *, method: str = "merge") -> PullRequest:
        if method not in MERGE_METHODS:
            raise ForgeError(f"unknown merge method {method!r} (one of {', '.join(MERGE_METHODS)})")
        rec = self._record(repo, number)
        if rec.get("state") == "merged":
            return self._pr(rec)
        if rec.get("state") != "open":
            raise ForgeConflict(f"{self.url(repo.name, number)} is {rec.get('state')}, not open")
        root = repo.local_path
        if root is None or not git.is_repo(root):
            raise ForgeError(
                f"cannot merge {self.url(repo.name, number)}: no checkout of {repo.name} on this machine",
                hint=f"run `blue realm admin join {self.realm}` in {repo.name}'s checkout",
            )
        if not self._merged_by_hand(repo, rec):
            self._merge_in(root, repo, rec, method)
        return self._set(
            repo, number, {"state": "merged", "merged_at": _now(), "merged_by": self.settings.user}, "merged"
        )

    def _merge_in(self, root: Path, repo: RepoRef, rec: dict[str, Any], method: str) -> None:
        head, base = str(rec["head"]), str(rec["base"])
        label = self.url(repo.name, int(rec["number"]))
        try:
            fetch(self.settings, root, self.realm, remote=repo.remote)
        except RemoteError as exc:
            raise ForgeError(f"cannot merge {label}: {exc}", hint=exc.hint) from None
        rhead, rbase = f"refs/remotes/{repo.remote}/{head}", f"refs/remotes/{repo.remote}/{base}"
        if git.resolve(root, rhead) is None or git.resolve(root, rbase) is None:
            raise ForgeConflict(
                f"cannot merge {label}: branch {head} or {base} is not on {repo.name}'s remote"
            )
        cfg = git.identity_config(root, self.settings.user)
        message = f"Merge {label}: {rec.get('title', '')}\n\n{head} into {base}"
        env = {"GIT_OPTIONAL_LOCKS": "1", "GIT_EDITOR": "true"}
        with scratch_worktree(root, rhead if method == "rebase" else rbase) as work:
            try:
                if method == "merge":
                    git.run(["merge", "--no-ff", "-q", "-m", message, rhead], work, env=env, config=cfg)
                elif method == "squash":
                    git.run(["merge", "--squash", "-q", rhead], work, env=env, config=cfg)
                    git.run(["commit", "-q", "-m", message], work, env=env, config=cfg)
                else:
                    git.run(["rebase", "-q", rbase], work, env=env, config=cfg)
            except GitError as exc:
                raise ForgeConflict(
                    f"cannot merge {label}: {head} conflicts with {base} ({exc.message.rsplit(': ', 1)[-1]})",
                    hint=f"rebase {head} onto {base} in {repo.name}, push it, and merge again",
                ) from None
            try:
                push(self.settings, work, self.realm, [f"HEAD:refs/heads/{base}"], remote=repo.remote)
            except PushRejected as exc:
                raise ForgeConflict(f"cannot merge {label}: {exc}", hint="run the merge again") from None

    def record_plan(self, name: str, plan: dict[str, Any]) -> str | None:
        path = f"plans/{name}.json"
        self.store.update(path, lambda _records: ({path: plan}, None), f"forge: plan {name}")
        return f"{path} on {self.store.where()}"
