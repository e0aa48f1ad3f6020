"""JSON records on a branch of the realm repo (``blue/forge``), for the local forge.

Records are written without touching any working tree (a private index, ``commit-tree``) and
published to the realm's remote with a plain push. Two writers racing: the later push is refused
as non-fast-forward, so it fetches the new tip, re-applies its change on top and pushes again
(records are one file each, so the retry never loses the other writer's record). Without a
remote, the local branch is moved with a compare-and-swap ``update-ref``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import GitError
from blue_tui.core.realm.forge.base import ForgeError
from blue_tui.core.realm.remote import PushRejected, RemoteError, fetch, push, remote_url

BRANCH = "blue/forge"
ATTEMPTS = 6
T = TypeVar("T")
Mutation = Callable[[dict[str, Any]], tuple[dict[str, Any], T]]


class RefStore:
    def __init__(
        self, settings: Settings, realm: str, root: Path, *, branch: str = BRANCH, remote: str = "origin"
    ) -> None:
        self.settings = settings
        self.realm = realm
        self.root = root
        self.branch = branch
        self.remote = remote
        self.has_remote = remote_url(root, remote) is not None

    @property
    def ref(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}" if self.has_remote else f"refs/heads/{self.branch}"

    def where(self) -> str:
        url = remote_url(self.root, self.remote) if self.has_remote else str(self.root)
        return f"branch {self.branch} of {url}"

    def refresh(self) -> bool:
        """Fetch the branch from the remote; False when offline (the last fetched copy is used)."""
        if not self.has_remote:
            return True
        try:
            fetch(
                self.settings,
                self.root,
                self.realm,
                remote=self.remote,
                refspecs=[f"+refs/heads/{self.branch}:{self.ref}"],
            )
        except RemoteError as exc:
            # "couldn't find remote ref": nothing recorded yet; anything else: offline
            return "couldn't find remote ref" in str(exc).lower()
        return True

    def tip(self) -> str | None:
        return git.resolve(self.root, self.ref)

    def read(self, prefix: str = "", tip: str | None = None) -> dict[str, Any]:
        """``{path: parsed JSON}`` for the records under ``prefix`` at the tip."""
        tip = tip or self.tip()
        if tip is None:
            return {}
        out = git.run(["ls-tree", "-r", "-z", tip, "--", prefix or "."], self.root).stdout
        blobs: dict[str, str] = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, raw_path = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob":
                blobs[raw_path.decode("utf-8", "replace")] = parts[2].decode()
        contents = git.cat_blobs(self.root, list(blobs.values()))
        records: dict[str, Any] = {}
        for path, sha in blobs.items():
            raw = contents.get(sha)
            if raw is None:
                continue
            try:
                records[path] = json.loads(raw)
            except ValueError:
                continue  # a damaged record is skipped, not fatal
        return records

    def _commit(self, parent: str | None, files: dict[str, Any], message: str) -> str:
        fd, index = tempfile.mkstemp(prefix="blue-forge-index-")
        os.close(fd)
        os.unlink(index)
        env = {"GIT_INDEX_FILE": index, "GIT_OPTIONAL_LOCKS": "1"}
        try:
            git.run(["read-tree", parent] if parent else ["read-tree", "--empty"], self.root, env=env)
            lines = []
            for path, doc in sorted(files.items()):
                data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
                sha = (
                    git.run(
                        ["hash-object", "-w", "--stdin"],
                        self.root,
                        input_bytes=data,
                        env={"GIT_OPTIONAL_LOCKS": "1"},
                    )
                    .stdout.decode()
                    .strip()
                )
                lines.append(f"100644 blob {sha}\t{path}\n")
            git.run(["update-index", "--index-info"], self.root, input_bytes="".join(lines).encode(), env=env)
            tree = git.run(["write-tree"], self.root, env=env).stdout.decode().strip()
            cfg = git.identity_config(self.root, self.settings.user)
            args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
            return (
                git.run(args, self.root, env={"GIT_OPTIONAL_LOCKS": "1"}, config=cfg).stdout.decode().strip()
            )
        finally:
            if os.path.exists(index):
                os.unlink(index)

    def update(self, prefix: str, mutate: Mutation[T], message: str) -> T:
        """Apply ``mutate(records under prefix) -> (files to write, result)`` and publish it,
        re-applying on top of a concurrent writer's tip until the push goes through."""
        last: Exception | None = None
        for _ in range(ATTEMPTS):
            if not self.refresh():
                raise ForgeError(
                    f"cannot reach the realm remote to record in {self.where()}",
                    hint="check the network; the local forge records PRs in the realm repo",
                )
            parent = self.tip()
            files, result = mutate(self.read(prefix, parent))
            if not files:
                return result
            commit = self._commit(parent, files, message)
            if self.has_remote:
                try:
                    push(
                        self.settings,
                        self.root,
                        self.realm,
                        [f"{commit}:refs/heads/{self.branch}"],
                        remote=self.remote,
                    )
                except PushRejected as exc:
                    if exc.non_fast_forward:
                        last = exc
                        continue
                    raise
                git.run(["update-ref", self.ref, commit], self.root, env={"GIT_OPTIONAL_LOCKS": "1"})
                return result
            try:
                git.run(
                    ["update-ref", self.ref, commit, parent or "0" * 40],
                    self.root,
                    env={"GIT_OPTIONAL_LOCKS": "1"},
                )
            except GitError as exc:
                last = exc
                continue
            return result
        raise ForgeError(
            f"could not record in {self.where()}: other writers kept moving it ({last})",
            hint="run the command again",
        )
